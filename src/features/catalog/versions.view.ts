import type { IsoDate } from '../../shared/dates.js';
import type { VersionView } from './document-versions.service.js';
import type { DiffPart } from './text-diff.js';

interface Versioned {
  id: number;
  status: string;
  status_label: string;
  versions: VersionView[];
}

const amender = (v: VersionView) => v.amended_by?.doc_number ?? `《${v.amended_by?.title ?? ''}》`;

/** The notice at the top of a document's page: which text this is, and when it was amended. */
function noticeOf(doc: Versioned, shown: VersionView, current: VersionView) {
  if (shown.version === current.version) {
    return shown.version > 1 ? { text: `本文件已于 ${shown.effective_on} 经${amender(shown)}修改，以下为修改后文本。`, currentHref: null } : null;
  }
  const until = shown.in_force_until ? `至 ${shown.in_force_until}` : '';
  if (shown.version < current.version) {
    return { text: `以下为第 ${shown.version} 版文本（${shown.effective_on} 起施行${until ? '，' + until : ''}），已修改。`, currentHref: `/documents/${doc.id}` };
  }
  return { text: `以下为第 ${shown.version} 版文本，自 ${shown.effective_on} 起施行，尚未施行。`, currentHref: `/documents/${doc.id}` };
}

/**
 * What the document page adds for versions: the notice, the 有效性 label (现行有效（已修改）, or 已修改
 * for a superseded text), the 历史版本 list and the date picker. `shown` is the version on the page.
 */
export function versionLocals(doc: Versioned, shown: number, today: IsoDate, asOf?: IsoDate) {
  const current = doc.versions.find((v) => v.state === 'current');
  const shownVersion = doc.versions.find((v) => v.version === shown);
  if (!current || !shownVersion) {
    return { versionNotice: null, validity: { label: doc.status_label, status: doc.status, currentHref: null }, history: [], picker: { asOf: asOf ?? '', today } };
  }
  const superseded = shownVersion.version < current.version;
  const validity = superseded
    ? { label: '已修改', status: 'expired', currentHref: `/documents/${doc.id}` }
    : { label: doc.status === 'in_force' && current.version > 1 ? '现行有效（已修改）' : doc.status_label, status: doc.status, currentHref: null };
  const history = doc.versions.map((v) => ({
    ...v,
    label: v.version === 1 ? '原文' : `第 ${v.version} 版`,
    href: `/documents/${doc.id}/versions/${v.version}`,
    compareHref: v.version > 1 ? `/documents/${doc.id}/compare?from=${v.version - 1}&to=${v.version}` : null,
    amendedByHref: v.amended_by ? `/documents/${v.amended_by.id}` : null,
    shown: v.version === shown,
  }));
  return { versionNotice: noticeOf(doc, shownVersion, current), validity, history, picker: { asOf: asOf ?? '', today } };
}

/** How many characters each side changed, for the summary above the comparison. */
export function changeCounts(parts: DiffPart[]) {
  const count = (op: DiffPart['op']) => parts.filter((p) => p.op === op).reduce((n, p) => n + Array.from(p.text).length, 0);
  return { inserted: count('insert'), deleted: count('delete') };
}
