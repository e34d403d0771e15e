import N3 from 'n3';
import type { Quad, Term } from '@rdfjs/types';
import type { OpenDataConfig } from '../../config.js';
import { addMonths } from '../../domain/months.js';
import { LICENSE } from './dictionary.js';
import { MASTER_DATA_CSV, MASTER_DATA_XLSX, type DownloadFile, type Manifest } from './generate.js';

/**
 * The DCAT-AP.de 2.0 catalogue of the downloads and the open-data API, for GovData to harvest
 * (docs/open-data.md). Built once as quads; Turtle is written by n3, JSON-LD and RDF/XML by the small
 * writers below from the same quads, so the three cannot say different things.
 */
export const PREFIXES = {
  adms: 'http://www.w3.org/ns/adms#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dcatde: 'http://dcat-ap.de/def/dcatde/',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
} as const;

const namedNode = (value: string) => N3.DataFactory.namedNode(value);
const literal = (...args: Parameters<typeof N3.DataFactory.literal>) => N3.DataFactory.literal(...args);
const blankNode = (name?: string) => N3.DataFactory.blankNode(name);
const quad = (s: N3.Quad_Subject, p: N3.Quad_Predicate, o: N3.Quad_Object) => N3.DataFactory.quad(s, p, o);
type Prefix = keyof typeof PREFIXES;
const iri = (prefix: Prefix, local: string) => namedNode(PREFIXES[prefix] + local);
const a = iri('rdf', 'type');

const EU = 'http://publications.europa.eu/resource/authority/';
export const VOCABULARY_TERMS = {
  license: LICENSE.uri,
  geocodingLevel: 'http://dcat-ap.de/def/politicalGeocoding/Level/federal',
  spatial: `${EU}country/DEU`,
  language: `${EU}language/DEU`,
  theme: `${EU}data-theme/GOVE`,
  frequency: `${EU}frequency/MONTHLY`,
  formats: { CSV: `${EU}file-type/CSV`, XLSX: `${EU}file-type/XLSX`, JSON: `${EU}file-type/JSON` },
} as const;
const IANA = 'https://www.iana.org/assignments/media-types/';

interface DistributionSpec {
  id: string;
  title: string;
  format: keyof typeof VOCABULARY_TERMS.formats;
  mediaType: string;
  compressed?: boolean;
  downloadURL?: string;
  accessURL: string;
  bytes?: number;
  accessService?: Term;
}

interface DatasetSpec {
  id: string;
  title: string;
  description: string;
  keywords: string[];
  period: { first: string; last: string } | null;
  distributions: DistributionSpec[];
}

/** "2026-10" -> the last day of that month, as xsd:date. */
const endOfMonth = (month: string) => {
  const next = addMonths(month, 1);
  const d = new Date(Date.UTC(Number(next.slice(0, 4)), Number(next.slice(5, 7)) - 1, 0));
  return d.toISOString().slice(0, 10);
};

export function catalogQuads(manifest: Manifest, config: OpenDataConfig, baseUrl: string): Quad[] {
  const quads: Quad[] = [];
  const add = (s: Term, p: Term, o: Term) =>
    quads.push(quad(s as N3.Quad_Subject, p as N3.Quad_Predicate, o as N3.Quad_Object));
  const de = (text: string) => literal(text, 'de');
  const dateTime = (value: string) => literal(value, iri('xsd', 'dateTime'));
  const date = (value: string) => literal(value, iri('xsd', 'date'));
  const modified = dateTime(manifest.generatedAt);
  const page = namedNode(`${baseUrl}/opendata`);

  const catalog = namedNode(`${baseUrl}/dcat/catalog`);
  const publisher = namedNode(`${baseUrl}/dcat/herausgeber`);
  add(publisher, a, iri('foaf', 'Agent'));
  add(publisher, a, iri('foaf', 'Organization'));
  add(publisher, iri('foaf', 'name'), de(config.publisher));
  add(publisher, iri('foaf', 'homepage'), namedNode(`${baseUrl}/`));

  const contact = namedNode(`${baseUrl}/dcat/kontakt`);
  add(contact, a, iri('vcard', 'Kind'));
  add(contact, a, iri('vcard', 'Organization'));
  add(contact, iri('vcard', 'fn'), de(config.publisher));
  add(contact, iri('vcard', 'hasEmail'), namedNode(`mailto:${config.contactEmail}`));
  add(contact, iri('vcard', 'hasURL'), page);

  add(catalog, a, iri('dcat', 'Catalog'));
  add(catalog, iri('dct', 'title'), de('Offene Daten der Zentralen Statistik-Komponente (ZSK)'));
  add(
    catalog,
    iri('dct', 'description'),
    de(
      'Nutzungszahlen (Transaktionen je Monat und Region) der an die ZSK angebundenen Onlinedienste der ' +
        'öffentlichen Verwaltung, ihre Stammdaten und die Programmierschnittstelle für offene Daten.',
    ),
  );
  add(catalog, iri('dct', 'publisher'), publisher);
  add(catalog, iri('foaf', 'homepage'), page);
  add(catalog, iri('dct', 'language'), namedNode(VOCABULARY_TERMS.language));
  add(catalog, iri('dct', 'license'), namedNode(LICENSE.uri));
  add(catalog, iri('dct', 'modified'), modified);
  add(catalog, iri('dcat', 'themeTaxonomy'), namedNode(`${EU}data-theme`));

  const api = namedNode(`${baseUrl}/dcat/dienst/api-open-v1`);
  const countsFile = manifest.files.find((f) => f.kind === 'counts');
  const distribution = (
    file: DownloadFile,
    title: string,
    format: DistributionSpec['format'],
    mediaType: string,
  ) => ({
    id: file.name,
    title,
    format,
    mediaType,
    compressed: file.name.endsWith('.gz'),
    downloadURL: `${baseUrl}/opendata/${file.name}`,
    accessURL: `${baseUrl}/opendata`,
    bytes: file.bytes,
  });

  const datasets: DatasetSpec[] = [];
  if (countsFile) {
    datasets.push({
      id: 'transaktionen',
      title: 'Transaktionszahlen der Onlinedienste je Monat und Region',
      description:
        'Alle gemeldeten Transaktionszahlen der veröffentlichten Onlinedienste: je Onlinedienst, Monat und ' +
        'Region (Amtlicher Regionalschlüssel), mit LeiKa-Schlüsseln und OZG-Leistung. CSV (Semikolon, UTF-8), gzip-komprimiert.',
      keywords: [
        'Onlinezugangsgesetz',
        'OZG',
        'Transaktionen',
        'Onlinedienste',
        'Verwaltungsdigitalisierung',
      ],
      period: manifest.period,
      distributions: [
        distribution(countsFile, 'Transaktionszahlen, alle Jahre (CSV, gzip)', 'CSV', 'text/csv'),
        {
          id: 'api-open-v1',
          title: 'Programmierschnittstelle für offene Daten (JSON, CSV)',
          format: 'JSON',
          mediaType: 'application/json',
          accessURL: `${baseUrl}/api/open/v1`,
          accessService: api,
        },
      ],
    });
  }
  for (const file of manifest.files.filter((f) => f.kind === 'counts-year')) {
    const year = String(file.year);
    const first =
      manifest.period && manifest.period.first > `${year}-01` ? manifest.period.first : `${year}-01`;
    const last = manifest.period && manifest.period.last < `${year}-12` ? manifest.period.last : `${year}-12`;
    datasets.push({
      id: `transaktionen-${year}`,
      title: `Transaktionszahlen der Onlinedienste ${year}`,
      description: `Die Transaktionszahlen der veröffentlichten Onlinedienste im Jahr ${year}, je Onlinedienst, Monat und Region. CSV (Semikolon, UTF-8), gzip-komprimiert.`,
      keywords: ['Onlinezugangsgesetz', 'OZG', 'Transaktionen', year],
      period: { first, last },
      distributions: [distribution(file, `Transaktionszahlen ${year} (CSV, gzip)`, 'CSV', 'text/csv')],
    });
  }
  const masterCsv = manifest.files.find((f) => f.name === MASTER_DATA_CSV);
  const masterXlsx = manifest.files.find((f) => f.name === MASTER_DATA_XLSX);
  if (masterCsv && masterXlsx) {
    datasets.push({
      id: 'onlinedienste',
      title: 'Stammdaten der Onlinedienste',
      description:
        'Die veröffentlichten Onlinedienste mit Behörde, Typisierung, Umsetzung (EfA oder Eigenentwicklung), ' +
        'Fokusleistung, Granularität, LeiKa-Schlüsseln, OZG-Leistung, Themenfeld, Portalen, erstem und letztem Monat mit Daten und Summe.',
      keywords: ['Onlinedienste', 'Stammdaten', 'Leistungskatalog', 'OZG'],
      period: manifest.period,
      distributions: [
        distribution(masterCsv, 'Stammdaten (CSV)', 'CSV', 'text/csv'),
        distribution(
          masterXlsx,
          'Stammdaten (Excel)',
          'XLSX',
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        ),
      ],
    });
  }
  datasets.push({
    id: 'dashboard-digitale-verwaltung',
    title: 'Transaktionen je Leistungsschlüssel für das Dashboard Digitale Verwaltung',
    description:
      'Transaktionen je LeiKa-Leistungsschlüssel, Amtlichem Regionalschlüssel und Monat mit den Feldnamen des ' +
      'Dashboards Digitale Verwaltung (leika_key, ozgid, ars, bundesland, monat, transaktionen). Zeitraum wählbar (from, to).',
    keywords: ['Dashboard Digitale Verwaltung', 'LeiKa', 'OZG', 'Transaktionen'],
    period: manifest.period,
    distributions: [
      {
        id: 'dashboard.json',
        title: 'Dashboard-Export (JSON)',
        format: 'JSON',
        mediaType: 'application/json',
        accessURL: `${baseUrl}/opendata`,
        downloadURL: `${baseUrl}/opendata/dashboard.json`,
      },
      {
        id: 'dashboard.csv',
        title: 'Dashboard-Export (CSV)',
        format: 'CSV',
        mediaType: 'text/csv',
        accessURL: `${baseUrl}/opendata`,
        downloadURL: `${baseUrl}/opendata/dashboard.csv`,
      },
    ],
  });

  const datasetNodes: Term[] = [];
  for (const spec of datasets) {
    const ds = namedNode(`${baseUrl}/dcat/datensatz/${spec.id}`);
    datasetNodes.push(ds);
    add(catalog, iri('dcat', 'dataset'), ds);
    add(ds, a, iri('dcat', 'Dataset'));
    add(ds, iri('dct', 'title'), de(spec.title));
    add(ds, iri('dct', 'description'), de(spec.description));
    add(ds, iri('dct', 'identifier'), literal(`${baseUrl}/dcat/datensatz/${spec.id}`));
    add(ds, iri('dct', 'publisher'), publisher);
    add(ds, iri('dcat', 'contactPoint'), contact);
    add(ds, iri('dcatde', 'contributorID'), namedNode(config.contributorId));
    add(ds, iri('dcatde', 'politicalGeocodingLevelURI'), namedNode(VOCABULARY_TERMS.geocodingLevel));
    add(ds, iri('dct', 'spatial'), namedNode(VOCABULARY_TERMS.spatial));
    add(ds, iri('dct', 'language'), namedNode(VOCABULARY_TERMS.language));
    add(ds, iri('dcat', 'theme'), namedNode(VOCABULARY_TERMS.theme));
    add(ds, iri('dct', 'accrualPeriodicity'), namedNode(VOCABULARY_TERMS.frequency));
    add(ds, iri('dcat', 'landingPage'), page);
    add(ds, iri('dct', 'issued'), dateTime(manifest.generatedAt));
    add(ds, iri('dct', 'modified'), modified);
    for (const keyword of spec.keywords) add(ds, iri('dcat', 'keyword'), de(keyword));
    if (spec.period) {
      const temporal = blankNode(`zeitraum-${spec.id}`);
      add(ds, iri('dct', 'temporal'), temporal);
      add(temporal, a, iri('dct', 'PeriodOfTime'));
      add(temporal, iri('dcat', 'startDate'), date(`${spec.period.first}-01`));
      add(temporal, iri('dcat', 'endDate'), date(endOfMonth(spec.period.last)));
    }
    for (const d of spec.distributions) {
      const node = namedNode(`${baseUrl}/dcat/distribution/${spec.id}/${d.id}`);
      add(ds, iri('dcat', 'distribution'), node);
      add(node, a, iri('dcat', 'Distribution'));
      add(node, iri('dct', 'title'), de(d.title));
      add(node, iri('dcat', 'accessURL'), namedNode(d.accessURL));
      if (d.downloadURL) add(node, iri('dcat', 'downloadURL'), namedNode(d.downloadURL));
      add(node, iri('dct', 'format'), namedNode(VOCABULARY_TERMS.formats[d.format]));
      add(node, iri('dcat', 'mediaType'), namedNode(IANA + d.mediaType));
      if (d.compressed) add(node, iri('dcat', 'compressFormat'), namedNode(`${IANA}application/gzip`));
      if (d.bytes !== undefined)
        add(node, iri('dcat', 'byteSize'), literal(String(d.bytes), iri('xsd', 'decimal')));
      if (d.accessService) add(node, iri('dcat', 'accessService'), d.accessService);
      add(node, iri('dct', 'license'), namedNode(LICENSE.uri));
      add(node, iri('dcatde', 'licenseAttributionByText'), de(config.attribution));
      add(node, iri('dct', 'modified'), modified);
    }
  }

  add(catalog, iri('dcat', 'service'), api);
  add(api, a, iri('dcat', 'DataService'));
  add(api, iri('dct', 'title'), de('Programmierschnittstelle für offene Daten der ZSK'));
  add(
    api,
    iri('dct', 'description'),
    de(
      'Lesende Programmierschnittstelle ohne Anmeldung: veröffentlichte Onlinedienste, Zeitreihen je Dienst und ' +
        'Auswertungen nach Merkmalen, als JSON, CSV und JSON-stat 2.0. Beschrieben im OpenAPI-Dokument.',
    ),
  );
  add(api, iri('dcat', 'endpointURL'), namedNode(`${baseUrl}/api/open/v1`));
  add(api, iri('dcat', 'endpointDescription'), namedNode(`${baseUrl}/api/docs/json`));
  add(api, iri('dcat', 'landingPage'), namedNode(`${baseUrl}/api/docs`));
  add(api, iri('dct', 'publisher'), publisher);
  add(api, iri('dcat', 'contactPoint'), contact);
  add(api, iri('dct', 'license'), namedNode(LICENSE.uri));
  add(api, iri('dcatde', 'licenseAttributionByText'), de(config.attribution));
  if (countsFile)
    add(api, iri('dcat', 'servesDataset'), namedNode(`${baseUrl}/dcat/datensatz/transaktionen`));
  return quads;
}

export function toTurtle(quads: Quad[]): Promise<string> {
  const writer = new N3.Writer({ prefixes: PREFIXES });
  writer.addQuads(quads);
  return new Promise((resolve, reject) =>
    writer.end((error, result: string) => (error ? reject(error) : resolve(result))),
  );
}

/** prefix:local where a known namespace fits, for keys and names. */
function compact(value: string): { prefix: Prefix; local: string } | null {
  for (const [prefix, ns] of Object.entries(PREFIXES) as [Prefix, string][]) {
    if (value.startsWith(ns) && /^[A-Za-z_][\w-]*$/.test(value.slice(ns.length))) {
      return { prefix, local: value.slice(ns.length) };
    }
  }
  return null;
}

const nodeId = (term: Term) => (term.termType === 'BlankNode' ? `_:${term.value}` : term.value);

/** Subjects in first-seen order with their predicates and objects. */
function bySubject(quads: Quad[]): Map<string, { subject: Term; props: Map<string, Term[]> }> {
  const subjects = new Map<string, { subject: Term; props: Map<string, Term[]> }>();
  for (const q of quads) {
    const key = nodeId(q.subject);
    let entry = subjects.get(key);
    if (!entry) {
      entry = { subject: q.subject, props: new Map() };
      subjects.set(key, entry);
    }
    const list = entry.props.get(q.predicate.value) ?? [];
    list.push(q.object);
    entry.props.set(q.predicate.value, list);
  }
  return subjects;
}

/**
 * Flattened JSON-LD: one node object per subject in @graph, properties as compact IRIs of the
 * context's prefixes, every value in expanded form (@id, or @value with @language/@type), so any
 * JSON-LD processor reads the same triples without guessing.
 */
export function toJsonLd(quads: Quad[]): string {
  const graph: Record<string, unknown>[] = [];
  for (const { subject, props } of bySubject(quads).values()) {
    const node: Record<string, unknown> = { '@id': nodeId(subject) };
    for (const [predicate, objects] of props) {
      if (predicate === PREFIXES.rdf + 'type') {
        node['@type'] = objects.map((o) => o.value);
        continue;
      }
      const key = compact(predicate);
      node[key ? `${key.prefix}:${key.local}` : predicate] = objects.map((o) => {
        if (o.termType !== 'Literal') return { '@id': nodeId(o) };
        const lit = o as N3.Literal;
        if (lit.language) return { '@value': lit.value, '@language': lit.language };
        if (lit.datatype.value !== PREFIXES.xsd + 'string')
          return { '@value': lit.value, '@type': lit.datatype.value };
        return { '@value': lit.value };
      });
    }
    graph.push(node);
  }
  return JSON.stringify({ '@context': PREFIXES, '@graph': graph }, null, 2);
}

const xmlText = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** RDF/XML, one rdf:Description per subject; blank nodes by rdf:nodeID. */
export function toRdfXml(quads: Quad[]): string {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>'];
  const ns = Object.entries(PREFIXES)
    .map(([p, u]) => `xmlns:${p}="${xmlText(u)}"`)
    .join(' ');
  lines.push(`<rdf:RDF ${ns}>`);
  const subjectAttr = (t: Term) =>
    t.termType === 'BlankNode' ? `rdf:nodeID="${xmlText(t.value)}"` : `rdf:about="${xmlText(t.value)}"`;
  for (const { subject, props } of bySubject(quads).values()) {
    lines.push(`  <rdf:Description ${subjectAttr(subject)}>`);
    for (const [predicate, objects] of props) {
      const key = compact(predicate);
      if (!key) throw new Error(`RDF/XML: no prefix for ${predicate}`);
      const name = `${key.prefix}:${key.local}`;
      for (const o of objects) {
        if (o.termType === 'NamedNode') lines.push(`    <${name} rdf:resource="${xmlText(o.value)}"/>`);
        else if (o.termType === 'BlankNode') lines.push(`    <${name} rdf:nodeID="${xmlText(o.value)}"/>`);
        else {
          const lit = o as N3.Literal;
          const attr = lit.language
            ? ` xml:lang="${xmlText(lit.language)}"`
            : lit.datatype.value !== PREFIXES.xsd + 'string'
              ? ` rdf:datatype="${xmlText(lit.datatype.value)}"`
              : '';
          lines.push(`    <${name}${attr}>${xmlText(lit.value)}</${name}>`);
        }
      }
    }
    lines.push('  </rdf:Description>');
  }
  lines.push('</rdf:RDF>', '');
  return lines.join('\n');
}
