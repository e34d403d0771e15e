import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { SYSTEM_ACTOR, writeAudit } from '../db/audit.js';
import { addMonths, lastClosedMonth, monthRange } from '../domain/months.js';
import { ingestDelivery, type IncomingRow } from '../features/deliveries/ingest.js';
import { ensureSampleCatalogue } from '../features/catalogue/sample.js';
import type { BuildMode, Granularity, ServiceType } from '../domain/vocabulary.js';

/**
 * Realistic demo data for the embedded default: well-known online services, a federal portal with a
 * dozen Typ-1 services, three years of monthly counts with a few gaps and zeros. Deterministic for a
 * given month, so screenshots and tests see the same figures.
 */

interface DemoService {
  name: string;
  url: string;
  authority: string;
  type: ServiceType;
  buildMode: BuildMode;
  focus: boolean;
  granularity: Granularity;
  /** Transactions in a typical month, nationwide. */
  monthly: number;
  /** Regions it reports for (default: all at its granularity). */
  regions?: (ars: string) => boolean;
  /** Months without a delivery, counted back from the last closed month (0 = last closed month). */
  gapsBack?: readonly number[];
  /** Stops delivering this many months before the last closed month (overdue). */
  stoppedBack?: number;
  /** Starts delivering this many months before the last closed month. */
  startsBack?: number;
  /** Month of year (1-12) -> factor; counts are 0 where the factor is 0. */
  season?: (monthOfYear: number, month: string) => number;
  portal?: boolean;
  /** Name of the OZG service in the sample catalogue (masterdata/catalogue) it implements. */
  ozg: string;
  /** Land of the operating authority; federal authorities have none. */
  land?: string;
}

const FEDERAL_PORTAL = 'Verwaltungsportal des Bundes';

// Federal and state elections drive the Briefwahl applications; other months are a true zero.
const ELECTION_MONTHS = new Set([
  '2024-05',
  '2024-06',
  '2024-08',
  '2024-09',
  '2025-01',
  '2025-02',
  '2026-02',
  '2026-03',
]);

const SERVICES: DemoService[] = [
  {
    name: 'BAföG Digital',
    ozg: 'BAföG',
    land: '15',
    url: 'https://www.bafoeg-digital.de',
    authority: 'Ministerium für Infrastruktur und Digitales Sachsen-Anhalt',
    type: '2/3',
    buildMode: 'efa',
    focus: false,
    granularity: 'land',
    monthly: 48_000,
    season: (m) => (m === 9 || m === 10 ? 2.4 : m === 3 || m === 4 ? 1.5 : 0.7),
  },
  {
    name: 'Elterngeld Digital',
    ozg: 'Elterngeld',
    url: 'https://www.elterngeld-digital.de',
    authority: 'Bundesministerium für Familie, Senioren, Frauen und Jugend',
    type: '2/3',
    buildMode: 'efa',
    focus: true,
    granularity: 'land',
    monthly: 21_000,
    // Not every Land has joined: Bayern and Baden-Württemberg run their own.
    regions: (ars) => !['08', '09'].includes(ars.slice(0, 2)),
    gapsBack: [14, 15],
  },
  {
    name: 'Wohngeld-Antrag online',
    ozg: 'Wohngeld',
    land: '01',
    url: 'https://wohngeld.example.de',
    authority: 'Ministerium für Inneres, Kommunales, Wohnen und Sport Schleswig-Holstein',
    type: '2/3',
    buildMode: 'efa',
    focus: true,
    granularity: 'land',
    monthly: 9_500,
    startsBack: 22,
  },
  {
    name: 'Briefwahlantrag (Wahlscheinantrag)',
    ozg: 'Briefwahl',
    land: '06',
    url: 'https://briefwahl.example.de',
    authority: 'ekom21 – KGRZ Hessen',
    type: '2/3',
    buildMode: 'own',
    focus: false,
    granularity: 'kreis',
    monthly: 1_400,
    regions: (ars) => ars.startsWith('06') || ars.startsWith('07'),
    season: (_m, month) => (ELECTION_MONTHS.has(month) ? 20 : 0),
  },
  {
    name: 'Digitale Wohnsitzanmeldung',
    ozg: 'Wohnsitzanmeldung',
    url: 'https://wohnsitzanmeldung.example.de',
    authority: 'Bundesministerium des Innern',
    type: '2/3',
    buildMode: 'efa',
    focus: true,
    granularity: 'bund',
    monthly: 31_000,
    startsBack: 16,
  },
  {
    name: 'i-Kfz – Internetbasierte Fahrzeugzulassung',
    ozg: 'Fahrzeugzulassung',
    url: 'https://www.kba.de/ikfz',
    authority: 'Kraftfahrt-Bundesamt',
    type: '2/3',
    buildMode: 'own',
    focus: true,
    granularity: 'land',
    monthly: 140_000,
  },
  {
    name: 'Gewerbeanmeldung',
    ozg: 'Gewerbeanmeldung',
    land: '11',
    url: 'https://gewerbe.example.de',
    authority: 'Senatsverwaltung für Wirtschaft, Energie und Betriebe Berlin',
    type: '4',
    buildMode: 'efa',
    focus: false,
    granularity: 'land',
    monthly: 6_200,
    regions: (ars) => ['11', '12', '14'].includes(ars.slice(0, 2)),
    stoppedBack: 3,
  },
  {
    name: 'Hundesteuer-Anmeldung',
    ozg: 'Hundesteuer',
    land: '06',
    url: 'https://hundesteuer.example.de',
    authority: 'Landeshauptstadt Wiesbaden',
    type: '5',
    buildMode: 'own',
    focus: false,
    granularity: 'kreis',
    monthly: 180,
    regions: (ars) => ars === '064140000000',
  },
  {
    name: 'Führerscheinantrag online',
    ozg: 'Führerschein',
    land: '05',
    url: 'https://fuehrerschein.example.de',
    authority: 'Landesbetrieb IT.NRW',
    type: '2/3',
    buildMode: 'efa',
    focus: true,
    granularity: 'land',
    monthly: 0,
  },
  ...(
    [
      [
        'Führungszeugnis online beantragen',
        'Bundesamt für Justiz',
        'Führungszeugnis',
        52_000,
        { gapsBack: [19, 20] },
      ],
      [
        'Auskunft aus dem Gewerbezentralregister',
        'Bundesamt für Justiz',
        'Gewerbezentralregister-Auskunft',
        7_300,
        {},
      ],
      ['Kindergeld beantragen', 'Bundesagentur für Arbeit – Familienkasse', 'Kindergeld', 61_000, {}],
      [
        'Kinderzuschlag beantragen',
        'Bundesagentur für Arbeit – Familienkasse',
        'Kinderzuschlag',
        38_000,
        { stoppedBack: 4 },
      ],
      ['Arbeitslosmeldung online', 'Bundesagentur für Arbeit', 'Arbeitslosengeld', 95_000, {}],
      ['BAföG-Darlehensrückzahlung', 'Bundesverwaltungsamt', 'BAföG-Rückzahlung', 4_800, {}],
      ['Visum beantragen (Auslandsportal)', 'Auswärtiges Amt', 'Visum', 29_000, { startsBack: 12 }],
      [
        'Punkteauskunft aus dem Fahreignungsregister',
        'Kraftfahrt-Bundesamt',
        'Fahreignungsregister-Auskunft',
        18_500,
        {},
      ],
      [
        'Zulassung zum Integrationskurs',
        'Bundesamt für Migration und Flüchtlinge',
        'Integrationskurs',
        11_200,
        { gapsBack: [7] },
      ],
      [
        'Bewerbung Freiwilliger Wehrdienst',
        'Bundesamt für das Personalmanagement der Bundeswehr',
        'Freiwilliger Wehrdienst',
        2_100,
        {},
      ],
      ['Zoll: Einfuhrabgaben für Internetbestellungen', 'Generalzolldirektion', 'Einfuhrabgaben', 14_700, {}],
      [
        'Vereinbarung Bundesfreiwilligendienst',
        'Bundesamt für Familie und zivilgesellschaftliche Aufgaben',
        'Bundesfreiwilligendienst',
        3_400,
        {},
      ],
    ] as const
  ).map(([name, authority, ozg, monthly, extra]): DemoService => ({
    name,
    ozg,
    url: 'https://verwaltung.bund.de',
    authority,
    type: '1',
    buildMode: 'own',
    focus: false,
    granularity: 'bund',
    monthly,
    portal: true,
    ...extra,
  })),
];

/** A small deterministic generator (mulberry32), so the demo looks the same on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEMO_MONTHS = 36;

export async function seedDemo(
  db: Kysely<Database>,
  now = new Date(),
): Promise<{ services: number; counts: number }> {
  const last = lastClosedMonth(now);
  const months = monthRange(addMonths(last, -(DEMO_MONTHS - 1)), last);
  const regions = await db.selectFrom('regions').select(['ars', 'level', 'is_kreis', 'population']).execute();
  const population = new Map(regions.map((r) => [r.ars, r.population ?? 0]));
  const landPopulation = (ars: string) => population.get(`${ars.slice(0, 2)}0000000000`) ?? 0;
  const atLevel = (g: Granularity) =>
    regions.filter((r) => r.level === g || (g === 'kreis' && r.is_kreis)).map((r) => r.ars);

  await ensureSampleCatalogue(db);
  const ozgRows = await db
    .selectFrom('ozg_services')
    .leftJoin('ozg_service_leika', 'ozg_service_leika.ozg_id', 'ozg_services.id')
    .select(['ozg_services.id', 'ozg_services.name', 'ozg_service_leika.leika_key'])
    .where('ozg_services.withdrawn_at', 'is', null)
    .execute();

  let counts = 0;
  const authorityIds = new Map<string, number>();
  const portal = await db
    .insertInto('portals')
    .values({ name: FEDERAL_PORTAL, url: 'https://verwaltung.bund.de', authority_id: null })
    .returning('id')
    .executeTakeFirstOrThrow();

  for (const [index, demo] of SERVICES.entries()) {
    let authorityId = authorityIds.get(demo.authority);
    if (authorityId === undefined) {
      const row = await db
        .insertInto('authorities')
        .values({ name: demo.authority, land: demo.land ?? null })
        .returning('id')
        .executeTakeFirstOrThrow();
      authorityId = row.id;
      authorityIds.set(demo.authority, authorityId);
    }
    const service = await db
      .insertInto('online_services')
      .values({
        name: demo.name,
        url: demo.url,
        authority_id: authorityId,
        service_type: demo.type,
        build_mode: demo.buildMode,
        is_focus: demo.focus,
        granularity: demo.granularity,
        description: null,
        created_by: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeAudit(db, SYSTEM_ACTOR, {
      action: 'service.create',
      entity: 'online_service',
      entityId: service.id,
      newValue: { name: demo.name, source: 'demo' },
    });
    const ozg = ozgRows.filter((r) => r.name === demo.ozg);
    if (ozg.length === 0)
      throw new Error(`Demo-Dienst ${demo.name}: OZG-Leistung „${demo.ozg}“ fehlt im Katalog.`);
    await db
      .insertInto('online_service_ozg')
      .values({ service_id: service.id, ozg_id: ozg[0]!.id })
      .execute();
    const leikaKeys = ozg.flatMap((r) => (r.leika_key ? [r.leika_key] : []));
    if (leikaKeys.length) {
      await db
        .insertInto('online_service_leika')
        .values(leikaKeys.map((key) => ({ service_id: service.id, leika_key: key })))
        .execute();
    }
    if (demo.portal) {
      await db
        .insertInto('portal_services')
        .values({ portal_id: portal.id, service_id: service.id })
        .execute();
    }
    if (demo.monthly === 0) continue;

    const rnd = random(index + 1);
    const targets = atLevel(demo.granularity).filter(demo.regions ?? (() => true));
    const weights = targets.map((ars) =>
      demo.granularity === 'bund' ? 1 : Math.max(landPopulation(ars), 1),
    );
    const weightSum = weights.reduce((a, b) => a + b, 0);
    const rows: IncomingRow[] = [];
    months.forEach((month, i) => {
      const back = months.length - 1 - i;
      if (demo.startsBack !== undefined && back > demo.startsBack) return;
      if (demo.stoppedBack !== undefined && back < demo.stoppedBack) return;
      if (demo.gapsBack?.includes(back)) return;
      const growth = 0.6 + 0.4 * (i / months.length);
      const season = demo.season ? demo.season(Number(month.slice(5)), month) : 1;
      targets.forEach((ars, t) => {
        const share = weights[t]! / weightSum;
        const value = demo.monthly * growth * season * share * (0.85 + 0.3 * rnd());
        rows.push({ month, ars, count: Math.round(value) });
      });
    });
    const summary = await ingestDelivery(db, {
      channel: 'demo',
      actor: SYSTEM_ACTOR,
      target: { kind: 'service', serviceId: service.id },
      rows,
      now,
    });
    if (summary.status !== 'accepted') {
      throw new Error(`Demo-Daten für ${demo.name} abgelehnt: ${JSON.stringify(summary.errors.slice(0, 3))}`);
    }
    counts += summary.created;
  }
  return { services: SERVICES.length, counts };
}
