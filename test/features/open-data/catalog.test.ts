import fs from 'node:fs';
import path from 'node:path';
import N3 from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import { createTestApp, testConfig, type TestApp } from '../../helpers/app.js';
import { createService } from '../../helpers/factories.js';

/**
 * The catalogue against the official DCAT-AP.de 2.0 shapes, profile "Spezifikation + Konventionen"
 * (../shared/data/dcat-ap-de-2.0-shacl, README there). The shapes import remote vocabularies that
 * cannot be fetched here; VOCABULARY below supplies the typing triples of the few terms the catalogue
 * uses, as they stand in those vocabularies, and every other result is a real one.
 */
const SHAPES_DIR = path.resolve(process.cwd(), '..', 'shared', 'data', 'dcat-ap-de-2.0-shacl');
const SHAPES_DIR_FALLBACK = '/work/shared/data/dcat-ap-de-2.0-shacl';
const PROFILE = [
  'dcat-ap-de-imports.ttl',
  'dcat-ap-spec-german-messages.ttl',
  'dcat-ap-spec-german-additions.ttl',
  'dcat-ap-de-deprecated.ttl',
  'dcat-ap_2.1.1_shacl_shapes.ttl',
  'dcat-ap-konventionen.ttl',
];

const EU = 'http://publications.europa.eu/resource/authority/';
const VOCABULARY = `
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
<http://dcat-ap.de/def/licenses/dl-by-de/2.0> a skos:Concept, dct:LicenseDocument ;
  skos:inScheme <http://dcat-ap.de/def/licenses> .
<http://dcat-ap.de/def/contributors/bundesministeriumDesInnernUndFuerHeimat> a skos:Concept ;
  skos:inScheme <http://dcat-ap.de/def/contributors> .
<http://dcat-ap.de/def/politicalGeocoding/Level/federal> a skos:Concept ;
  skos:inScheme <http://dcat-ap.de/def/politicalGeocoding/Level> .
<${EU}file-type/CSV> a skos:Concept, dct:MediaTypeOrExtent ; skos:inScheme <${EU}file-type> .
<${EU}file-type/XLSX> a skos:Concept, dct:MediaTypeOrExtent ; skos:inScheme <${EU}file-type> .
<${EU}file-type/JSON> a skos:Concept, dct:MediaTypeOrExtent ; skos:inScheme <${EU}file-type> .
<${EU}language/DEU> a skos:Concept, dct:LinguisticSystem ; skos:inScheme <${EU}language> .
<${EU}data-theme/GOVE> a skos:Concept ; skos:inScheme <${EU}data-theme> .
<${EU}data-theme> a skos:ConceptScheme .
<${EU}frequency/MONTHLY> a skos:Concept, dct:Frequency ; skos:inScheme <${EU}frequency> .
<${EU}country/DEU> a skos:Concept ; skos:inScheme <${EU}country> .
`;

function parseTurtle(text: string): N3.Store {
  return new N3.Store(new N3.Parser().parse(text));
}

function shapes(): N3.Store {
  const dir = fs.existsSync(SHAPES_DIR) ? SHAPES_DIR : SHAPES_DIR_FALLBACK;
  const store = new N3.Store();
  for (const name of PROFILE)
    store.addQuads(new N3.Parser().parse(fs.readFileSync(path.join(dir, name), 'utf8')));
  return store;
}

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const DCATDE = 'http://dcat-ap.de/def/dcatde/';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

let t: TestApp;
let turtle: string;
let graph: N3.Store;

beforeAll(async () => {
  t = await createTestApp({ openData: { ...testConfig().openData, quietSeconds: 3600 } });
  const db = t.db.kysely;
  const shown = await createService(db, { name: 'Öffentlicher Dienst' });
  const hidden = await createService(db, { name: 'Unveröffentlichter Dienst' });
  await db.updateTable('online_services').set({ published: false }).where('id', '=', hidden).execute();
  for (const [serviceId, month] of [
    [shown, '2025-11'],
    [hidden, '2024-03'],
  ] as const) {
    await ingestDelivery(db, {
      channel: 'api',
      actor: SYSTEM_ACTOR,
      target: { kind: 'service', serviceId },
      rows: [{ month, ars: '060000000000', count: 5 }],
      now: new Date('2026-03-01T00:00:00Z'),
    });
  }
  await t.app.openData.regenerate();
  const res = await t.app.inject({ method: 'GET', url: '/dcat/catalog.ttl' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/turtle; charset=utf-8');
  turtle = res.body;
  graph = parseTurtle(turtle);
});
afterAll(async () => {
  await t?.close();
});

const objects = (subject: string | N3.Term | null, predicate: string) =>
  graph.getObjects(subject, predicate, null).map((o) => o.value);
const ofType = (type: string) => graph.getSubjects(RDF_TYPE, type, null).map((s) => s.value);

describe('DCAT-AP.de catalogue', () => {
  it('conforms to the DCAT-AP.de 2.0 shapes (Spezifikation + Konventionen): no violation, no warning', async () => {
    const data = parseTurtle(turtle);
    data.addQuads(new N3.Parser().parse(VOCABULARY));
    // The remote vocabularies of owl:imports are offline here: VOCABULARY holds what the catalogue needs.
    const report = await new SHACLValidator(shapes(), { importGraph: () => new N3.Store() }).validate(data);
    const results = report.results.map(
      (r) =>
        `${r.severity?.value.split('#')[1]} ${r.focusNode?.value} ${r.path?.value ?? ''}: ${r.message.map((m) => m.value).join(' ')}`,
    );
    expect(
      results.filter((r) => r.startsWith('Violation')),
      results.join('\n'),
    ).toEqual([]);
    expect(
      results.filter((r) => r.startsWith('Warning')),
      results.join('\n'),
    ).toEqual([]);
  });

  it('is checked for real: without dcatde:contributorID the same validation reports violations', async () => {
    const data = parseTurtle(turtle);
    data.addQuads(new N3.Parser().parse(VOCABULARY));
    data.removeQuads(data.getQuads(null, `${DCATDE}contributorID`, null, null));
    const report = await new SHACLValidator(shapes(), { importGraph: () => new N3.Store() }).validate(data);
    expect(report.conforms).toBe(false);
    expect(report.results.some((r) => r.message.some((m) => m.value.startsWith('K12&13')))).toBe(true);
  });

  it('has one dataset per download plus the Dashboard export, and the API as a data service', () => {
    const datasets = ofType(`${DCAT}Dataset`).map((d) => d.replace(/^.*\/dcat\/datensatz\//, ''));
    expect(datasets.sort()).toEqual([
      'dashboard-digitale-verwaltung',
      'onlinedienste',
      'transaktionen',
      'transaktionen-2025',
    ]);
    const services = ofType(`${DCAT}DataService`);
    expect(services).toHaveLength(1);
    expect(objects(services[0]!, `${DCAT}endpointURL`)).toEqual(['http://localhost:3000/api/open/v1']);
    expect(objects(services[0]!, `${DCAT}servesDataset`)).toEqual([
      'http://localhost:3000/dcat/datensatz/transaktionen',
    ]);
  });

  it('carries the properties GovData needs on every dataset and distribution', () => {
    for (const ds of ofType(`${DCAT}Dataset`)) {
      for (const p of [
        `${DCT}title`,
        `${DCT}description`,
        `${DCT}publisher`,
        `${DCAT}contactPoint`,
        `${DCT}temporal`,
        `${DCT}modified`,
      ]) {
        expect(objects(ds, p), `${ds} ${p}`).not.toHaveLength(0);
      }
      expect(objects(ds, `${DCATDE}contributorID`)).toEqual([
        'http://dcat-ap.de/def/contributors/bundesministeriumDesInnernUndFuerHeimat',
      ]);
      expect(objects(ds, `${DCATDE}politicalGeocodingLevelURI`)).toEqual([
        'http://dcat-ap.de/def/politicalGeocoding/Level/federal',
      ]);
    }
    const distributions = ofType(`${DCAT}Distribution`);
    expect(distributions.length).toBeGreaterThanOrEqual(7);
    for (const d of distributions) {
      expect(objects(d, `${DCT}license`)).toEqual(['http://dcat-ap.de/def/licenses/dl-by-de/2.0']);
      expect(objects(d, `${DCATDE}licenseAttributionByText`)).toEqual([testConfig().openData.attribution]);
      expect(objects(d, `${DCAT}accessURL`)).toHaveLength(1);
      expect(objects(d, `${DCT}format`)).toHaveLength(1);
    }
    const counts = 'http://localhost:3000/dcat/distribution/transaktionen/zsk-transaktionen.csv.gz';
    expect(objects(counts, `${DCAT}downloadURL`)).toEqual([
      'http://localhost:3000/opendata/zsk-transaktionen.csv.gz',
    ]);
    expect(Number(objects(counts, `${DCAT}byteSize`)[0])).toBeGreaterThan(0);
    // The period of the published data only: the unpublished service's 2024 month is not in it.
    const temporal = graph.getObjects(
      'http://localhost:3000/dcat/datensatz/transaktionen',
      `${DCT}temporal`,
      null,
    )[0]!;
    expect(objects(temporal, `${DCAT}startDate`)).toEqual(['2025-11-01']);
    expect(objects(temporal, `${DCAT}endDate`)).toEqual(['2025-11-30']);
  });

  it('names no unpublished service and no year only it has data for', () => {
    expect(turtle).not.toContain('Unveröffentlichter Dienst');
    expect(turtle).not.toContain('2024');
  });

  it('says the same in JSON-LD and RDF/XML', async () => {
    const expected = new N3.Store(graph.getQuads(null, null, null, null));
    const jsonld = await t.app.inject({ method: 'GET', url: '/dcat/catalog.jsonld' });
    expect(jsonld.headers['content-type']).toBe('application/ld+json; charset=utf-8');
    expect(sameGraph(readFlatJsonLd(jsonld.body), expected)).toBe(true);
    const rdf = await t.app.inject({ method: 'GET', url: '/dcat/catalog.rdf' });
    expect(rdf.headers['content-type']).toBe('application/rdf+xml; charset=utf-8');
    expect(sameGraph(readFlatRdfXml(rdf.body), expected)).toBe(true);
  });

  it('answers a conditional request with 304', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/dcat/catalog.ttl' });
    const again = await t.app.inject({
      method: 'GET',
      url: '/dcat/catalog.ttl',
      headers: { 'if-none-match': first.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
  });
});

/** Blank node labels differ between parsers; the catalogue labels each one, so compare by label. */
function sameGraph(actual: N3.Store, expected: N3.Store): boolean {
  const key = (q: N3.Quad) =>
    [q.subject, q.predicate, q.object]
      .map((term) =>
        term.termType === 'Literal'
          ? `"${term.value}"@${term.language}^^${term.datatype.value}`
          : `${term.termType === 'BlankNode' ? '_:' + term.value.replace(/^.*?(zeitraum-)/, '$1') : term.value}`,
      )
      .join(' ');
  const a = new Set(actual.getQuads(null, null, null, null).map(key));
  const b = new Set(expected.getQuads(null, null, null, null).map(key));
  return a.size === b.size && [...a].every((k) => b.has(k));
}

/** Reads the flattened JSON-LD the catalogue writes (compact keys, expanded values): enough to compare. */
function readFlatJsonLd(text: string): N3.Store {
  const { DataFactory } = N3;
  const namedNode = (v: string) => DataFactory.namedNode(v);
  const blankNode = (v?: string) => DataFactory.blankNode(v);
  const literal = (...a: Parameters<typeof DataFactory.literal>) => DataFactory.literal(...a);
  const quad = (s: N3.Quad_Subject, p: N3.Quad_Predicate, o: N3.Quad_Object) => DataFactory.quad(s, p, o);
  const doc = JSON.parse(text) as { '@context': Record<string, string>; '@graph': Record<string, unknown>[] };
  const expand = (key: string) => {
    const [prefix, local] = key.split(':') as [string, string];
    return doc['@context'][prefix] ? doc['@context'][prefix] + local : key;
  };
  const term = (id: string) => (id.startsWith('_:') ? blankNode(id.slice(2)) : namedNode(id));
  const store = new N3.Store();
  for (const node of doc['@graph']) {
    const subject = term(node['@id'] as string);
    for (const [key, values] of Object.entries(node)) {
      if (key === '@id') continue;
      if (key === '@type') {
        for (const type of values as string[])
          store.addQuad(quad(subject, namedNode(RDF_TYPE), namedNode(type)));
        continue;
      }
      for (const v of values as Record<string, string>[]) {
        const object = v['@id']
          ? term(v['@id'])
          : literal(v['@value']!, v['@language'] ?? (v['@type'] ? namedNode(v['@type']) : undefined));
        store.addQuad(quad(subject, namedNode(expand(key)), object));
      }
    }
  }
  return store;
}

/** Reads the flat RDF/XML the catalogue writes (rdf:Description elements, one property per line). */
function readFlatRdfXml(text: string): N3.Store {
  const { DataFactory } = N3;
  const namedNode = (v: string) => DataFactory.namedNode(v);
  const blankNode = (v?: string) => DataFactory.blankNode(v);
  const literal = (...a: Parameters<typeof DataFactory.literal>) => DataFactory.literal(...a);
  const quad = (s: N3.Quad_Subject, p: N3.Quad_Predicate, o: N3.Quad_Object) => DataFactory.quad(s, p, o);
  const namespaces = Object.fromEntries(
    [...text.matchAll(/xmlns:(\w+)="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]),
  );
  const unescape = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const store = new N3.Store();
  for (const block of text.matchAll(
    /<rdf:Description (rdf:about|rdf:nodeID)="([^"]*)">([\s\S]*?)<\/rdf:Description>/g,
  )) {
    const subject =
      block[1] === 'rdf:about' ? namedNode(unescape(block[2]!)) : blankNode(unescape(block[2]!));
    for (const line of block[3]!
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)) {
      const m = /^<(\w+):([\w-]+)(.*?)(\/>|>([\s\S]*)<\/\1:\2>)$/.exec(line);
      if (!m) throw new Error(`unexpected line ${line}`);
      const predicate = namedNode(namespaces[m[1]!]! + m[2]!);
      const attrs = Object.fromEntries(
        [...m[3]!.matchAll(/([\w:]+)="([^"]*)"/g)].map((a) => [a[1]!, unescape(a[2]!)]),
      );
      const object = attrs['rdf:resource']
        ? namedNode(attrs['rdf:resource'])
        : attrs['rdf:nodeID']
          ? blankNode(attrs['rdf:nodeID'])
          : literal(
              unescape(m[5] ?? ''),
              attrs['xml:lang'] ?? (attrs['rdf:datatype'] ? namedNode(attrs['rdf:datatype']) : undefined),
            );
      store.addQuad(quad(subject, predicate, object));
    }
  }
  return store;
}
