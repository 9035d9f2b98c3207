import { randomBytes } from 'node:crypto';
import type { Actor } from '../../src/features/accounts/actor.js';
import type { NewDocumentInput } from '../../src/features/catalog/document.service.js';
import type { Services } from '../../src/services.js';

const unique = () => randomBytes(4).toString('hex');

/** An organ; every test that needs one makes its own. */
export function buildOrgan(services: Services, actor: Actor, overrides: Partial<Parameters<Services['organs']['create']>[1]> = {}) {
  return services.organs.create(actor, { name: `测试机关${unique()}`, doc_prefixes: [], ...overrides });
}

/** A published normative document, creating its organ when none is given. */
export async function buildDocument(services: Services, actor: Actor, overrides: Partial<NewDocumentInput> = {}) {
  const organId = overrides.organ_id ?? (await buildOrgan(services, actor)).id;
  return services.documents.create(actor, {
    kind: 'normative',
    title: `关于测试事项的通知${unique()}`,
    published_on: '2023-03-01',
    ...overrides,
    organ_id: organId,
  });
}

/** A published interpretation linked to the given documents. */
export function buildInterpretation(
  services: Services,
  actor: Actor,
  documentIds: number[],
  overrides: Partial<Parameters<Services['interpretations']['create']>[1]> = {},
) {
  return services.interpretations.create(actor, {
    title: `《关于测试事项的通知》政策解读${unique()}`,
    body: '一、制定背景……',
    published_on: '2023-03-02',
    document_ids: documentIds,
    ...overrides,
  });
}

/** The `Authorization` header for a token. */
export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * A small but well-formed PDF 1.4 (header, catalog, page tree, one page with a text stream, xref with
 * correct offsets, trailer), so a real parser would accept it too.
 */
export function minimalPdf(text = 'Hello'): Buffer {
  const stream = `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** The first bytes of a PNG image (signature and IHDR chunk): not a PDF whatever its name says. */
export function pngBytes(): Buffer {
  return Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f3c0000000049454e44ae426082',
    'hex',
  );
}

/** A staff account with a known password (for sign-in tests); ctx.user() is enough when only a token is needed. */
export async function buildUser(services: Services, role: 'admin' | 'editor' | 'compiler' = 'editor') {
  const username = `user_${unique()}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const userId = await services.users.create(null, { username, password, role });
  return { userId, username, password };
}
