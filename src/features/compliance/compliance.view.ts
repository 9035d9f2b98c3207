/**
 * View models of the compliance dashboard: the organ × year matrices, the SVG chart geometry (drawn
 * on the server, so no script or chart library is needed and CSP stays strict), and the CSV tables.
 */
import type { CsvCell } from '../../shared/csv.js';
import type { ExpiryReviewService } from './expiry-review.service.js';
import type { DashboardReport, InterpretationReport, TimelinessReport } from './compliance.service.js';
import type { ExportTable } from './compliance.schemas.js';

type ExpiringList = Awaited<ReturnType<ExpiryReviewService['listExpiring']>>;

/** 0.6 → '60%', 2/3 → '66.7%', null → '—'. */
export function percent(share: number | null): string {
  if (share === null) return '—';
  const tenths = Math.round(share * 1000) / 10;
  return Number.isInteger(tenths) ? `${tenths}%` : `${tenths.toFixed(1)}%`;
}

interface MatrixCell {
  main: string;
  detail: string;
  alert: string | null;
}

type TimelinessTally = TimelinessReport['total'];
type CoverageTally = InterpretationReport['total'];

const timelinessCell = (t: TimelinessTally | undefined): MatrixCell => {
  if (!t || t.assessed + t.pending + t.unknown_calendar + t.no_signed_on === 0) return { main: '—', detail: '', alert: null };
  const behind = t.late + t.overdue;
  const unjudged = t.pending + t.unknown_calendar + t.no_signed_on;
  return {
    main: percent(t.on_time_share),
    detail: `${t.on_time}/${t.assessed}${unjudged ? `，另 ${unjudged} 件未判定` : ''}`,
    alert: behind ? `逾期 ${behind}` : null,
  };
};

const coverageCell = (c: CoverageTally | undefined): MatrixCell => {
  if (!c || c.documents === 0) return { main: '—', detail: '', alert: null };
  return { main: percent(c.coverage_share), detail: `${c.covered}/${c.documents}`, alert: c.uncovered ? `无解读 ${c.uncovered}` : null };
};

interface OrganLike {
  id: number;
  name: string;
}

/** Rows are organs, columns years, with a total column and a row over all organs. */
function matrix<T extends { year: number }>(
  report: {
    organs: OrganLike[];
    groups: (T & { organ_id: number })[];
    by_year: T[];
    by_organ: (Omit<T, 'year'> & { organ_id: number })[];
    total: Omit<T, 'year'>;
  },
  years: number[],
  cell: (tally: Omit<T, 'year'> | undefined) => MatrixCell,
) {
  return {
    years,
    rows: report.organs.map((organ) => ({
      organ,
      cells: years.map((year) => cell(report.groups.find((g) => g.organ_id === organ.id && g.year === year))),
      total: cell(report.by_organ.find((o) => o.organ_id === organ.id)),
    })),
    totals: { cells: years.map((year) => cell(report.by_year.find((y) => y.year === year))), total: cell(report.total) },
  };
}

export interface ChartSeries {
  label: string;
  /** A class from public/compliance.css; `fill` is the same colour as a presentation attribute, for when CSS is off. */
  cls: string;
  fill: string;
}

export interface ChartCategory {
  label: string;
  values: { share: number | null; detail: string }[];
}

const CHART = { width: 720, height: 280, left: 48, right: 12, top: 36, bottom: 44 };

/**
 * Grouped bars of shares (0–100 %), one group per category. Returns coordinates only; the template
 * draws them. A missing share draws no bar and says "—", never a bar of 0.
 */
function barChart(title: string, series: ChartSeries[], categories: ChartCategory[]) {
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const baseline = CHART.top + plotHeight;
  const band = plotWidth / Math.max(categories.length, 1);
  const barWidth = Math.min(36, (band * 0.76) / series.length);
  const groupWidth = barWidth * series.length;
  const round = (n: number) => Math.round(n * 10) / 10;
  const bars = categories.flatMap((category, c) =>
    series.map((s, i) => {
      const value = category.values[i] ?? { share: null, detail: '' };
      const height = value.share === null ? 0 : value.share * plotHeight;
      const x = CHART.left + c * band + (band - groupWidth) / 2 + i * barWidth;
      return {
        cls: s.cls,
        fill: s.fill,
        x: round(x),
        y: round(baseline - height),
        width: round(barWidth - 2),
        height: round(height),
        label: percent(value.share),
        labelX: round(x + (barWidth - 2) / 2),
        labelY: round(baseline - height - 4),
        title: `${category.label} ${s.label}：${percent(value.share)}${value.detail ? `（${value.detail}）` : ''}`,
      };
    }),
  );
  return {
    title,
    width: CHART.width,
    height: CHART.height,
    plot: { left: CHART.left, right: CHART.width - CHART.right, top: CHART.top, baseline },
    grid: [0, 0.25, 0.5, 0.75, 1].map((share) => ({ y: round(baseline - share * plotHeight), label: percent(share) })),
    legend: series.map((s, i) => ({ ...s, x: CHART.left + i * 150, y: 12 })),
    xLabels: categories.map((category, c) => ({
      text: category.label.length > 8 ? `${category.label.slice(0, 7)}…` : category.label,
      full: category.label,
      x: round(CHART.left + c * band + band / 2),
      y: baseline + 20,
    })),
    bars,
  };
}

export type BarChart = ReturnType<typeof barChart>;

const SERIES: ChartSeries[] = [
  { label: '及时公开率', cls: 'series-timeliness', fill: '#9f1d20' },
  { label: '解读覆盖率', cls: 'series-coverage', fill: '#0969da' },
];

export function dashboardView(report: DashboardReport, expiring: ExpiringList) {
  const { timeliness, interpretations } = report;
  const years = timeliness.by_year.map((y) => y.year);
  const organs = timeliness.organs;
  const coverageOf = (organId: number) => interpretations.by_organ.find((o) => o.organ_id === organId);
  return {
    years,
    summary: {
      timeliness: percent(timeliness.total.on_time_share),
      timelinessDetail: `${timeliness.total.on_time}/${timeliness.total.assessed}`,
      behind: timeliness.total.late + timeliness.total.overdue,
      coverage: percent(interpretations.total.coverage_share),
      coverageDetail: `${interpretations.total.covered}/${interpretations.total.documents}`,
      flagged: interpretations.flagged.length,
      expiring: expiring.total,
      undecided: expiring.undecided,
    },
    timelinessMatrix: matrix(timeliness, years, timelinessCell),
    coverageMatrix: matrix(interpretations, years, coverageCell),
    trendChart: barChart(
      '各年度及时公开率与解读覆盖率',
      SERIES,
      years.map((year) => {
        const t = timeliness.by_year.find((y) => y.year === year)!;
        const c = interpretations.by_year.find((y) => y.year === year)!;
        return {
          label: `${year}年`,
          values: [
            { share: t.on_time_share, detail: `${t.on_time}/${t.assessed}` },
            { share: c.coverage_share, detail: `${c.covered}/${c.documents}` },
          ],
        };
      }),
    ),
    organChart: barChart(
      `各机关（${years[0]}—${years[years.length - 1]}年）`,
      SERIES,
      organs.map((organ) => {
        const t = timeliness.by_organ.find((o) => o.organ_id === organ.id);
        const c = coverageOf(organ.id);
        return {
          label: organ.short_name ?? organ.name,
          values: [
            { share: t?.on_time_share ?? null, detail: t ? `${t.on_time}/${t.assessed}` : '' },
            { share: c?.coverage_share ?? null, detail: c ? `${c.covered}/${c.documents}` : '' },
          ],
        };
      }),
    ),
  };
}

export interface CsvExport {
  fileName: string;
  /** Headings first. */
  rows: CsvCell[][];
}

/** One of the dashboard's tables as CSV. */
export function reportCsv(table: Exclude<ExportTable, 'expiring'>, report: DashboardReport): CsvExport {
  const span = `${report.timeliness.years.from}-${report.timeliness.years.to}`;
  switch (table) {
    case 'summary':
      return summaryCsv(report, span);
    case 'timeliness':
      return timelinessCsv(report.timeliness, span);
    case 'uncovered':
      return uncoveredCsv(report.interpretations, span);
    case 'flagged':
      return flaggedCsv(report.interpretations, span);
  }
}

/** Organ × year, then every year over all organs, then the grand total. */
function summaryCsv({ timeliness, interpretations }: DashboardReport, span: string): CsvExport {
  const rows: CsvCell[][] = [
    ['机关', '年度', '已判定件数', '按时公开', '逾期公开', '逾期未公开', '及时公开率', '待公开', '节假日安排未知', '缺成文日期', '行政规范性文件件数', '有解读件数', '解读覆盖率'],
  ];
  const line = (organ: string, year: number | string, t: TimelinessTally | undefined, c: CoverageTally | undefined): CsvCell[] => [
    organ,
    year,
    t?.assessed ?? 0,
    t?.on_time ?? 0,
    t?.late ?? 0,
    t?.overdue ?? 0,
    percent(t?.on_time_share ?? null),
    t?.pending ?? 0,
    t?.unknown_calendar ?? 0,
    t?.no_signed_on ?? 0,
    c?.documents ?? 0,
    c?.covered ?? 0,
    percent(c?.coverage_share ?? null),
  ];
  for (const organ of timeliness.organs) {
    for (const year of timeliness.by_year.map((y) => y.year)) {
      const t = timeliness.groups.find((g) => g.organ_id === organ.id && g.year === year);
      const c = interpretations.groups.find((g) => g.organ_id === organ.id && g.year === year);
      if (t || c) rows.push(line(organ.name, year, t, c));
    }
  }
  for (const t of timeliness.by_year) rows.push(line('全部机关', t.year, t, interpretations.by_year.find((c) => c.year === t.year)));
  rows.push(line('全部机关', '合计', timeliness.total, interpretations.total));
  return { fileName: `公开合规汇总-${span}.csv`, rows };
}

function timelinessCsv(timeliness: TimelinessReport, span: string): CsvExport {
  const all = [...timeliness.late, ...timeliness.unknown_calendar, ...timeliness.no_signed_on];
  return {
    fileName: `逾期及未判定文件-${span}.csv`,
    rows: [
      ['文件编号', '标题', '文号', '类别', '机关', '成文日期', '发布日期', '公开期限', '公开用时（工作日）', '结论', '缺少节假日安排的年份'],
      ...all.map((d) => [
        d.id,
        d.title,
        d.doc_number,
        d.kind_label,
        d.organ_name,
        d.signed_on,
        d.published_on,
        d.timeliness.deadline,
        d.timeliness.working_days,
        d.timeliness.status_label,
        d.timeliness.missing_years.join('、'),
      ]),
    ],
  };
}

function uncoveredCsv(interpretations: InterpretationReport, span: string): CsvExport {
  return {
    fileName: `无解读的规范性文件-${span}.csv`,
    rows: [
      ['文件编号', '标题', '文号', '机关', '年度', '成文日期', '发布日期'],
      ...interpretations.uncovered.map((d) => [d.id, d.title, d.doc_number, d.organ_name, d.year, d.signed_on, d.published_on]),
    ],
  };
}

function flaggedCsv(interpretations: InterpretationReport, span: string): CsvExport {
  return {
    fileName: `解读发布时间异常-${span}.csv`,
    rows: [
      ['解读编号', '解读标题', '解读发布日期', '文件编号', '文件标题', '文号', '机关', '文件发布日期', '相隔天数', '问题'],
      ...interpretations.flagged.map((f) => [
        f.interpretation.id,
        f.interpretation.title,
        f.interpretation.published_on,
        f.document.id,
        f.document.title,
        f.document.doc_number,
        f.document.organ_name,
        f.document.published_on,
        f.days_after,
        f.flag_label,
      ]),
    ],
  };
}

/** The documents whose term ends within the window, with their latest review, as CSV. */
export function expiringCsv(expiring: ExpiringList): CsvExport {
  return {
    fileName: `有效期届满评估-${expiring.window.from}至${expiring.window.to}.csv`,
    rows: [
      ['文件编号', '标题', '文号', '类别', '机关', '有效期至', '剩余天数', '最近评估决定', '决定日期', '新的有效期至', '说明'],
      ...expiring.items.map((i) => [
        i.id,
        i.title,
        i.doc_number,
        i.kind_label,
        i.organ_name,
        i.expires_on,
        i.days_left,
        i.latest_review?.decision_label,
        i.latest_review?.decided_on,
        i.latest_review?.new_expires_on,
        i.latest_review?.note,
      ]),
    ],
  };
}
