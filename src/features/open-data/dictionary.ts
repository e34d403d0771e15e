/**
 * What the downloads and the Dashboard export contain: one list of columns each, shown on /opendata,
 * written as the files' header rows and described in docs/open-data.md.
 */
export interface ColumnDoc {
  name: string;
  meaning: string;
  example: string;
}

export const LICENSE = {
  id: 'dl-by-de/2.0',
  uri: 'http://dcat-ap.de/def/licenses/dl-by-de/2.0',
  name: 'Datenlizenz Deutschland – Namensnennung – Version 2.0',
  url: 'https://www.govdata.de/dl-de/by-2-0',
} as const;

export const COUNT_COLUMNS: readonly ColumnDoc[] = [
  {
    name: 'dienst_id',
    meaning: 'Kennung des Onlinedienstes in der ZSK (wie in den Stammdaten)',
    example: '17',
  },
  {
    name: 'leika_schluessel',
    meaning: 'LeiKa-Leistungsschlüssel (14 Ziffern) des Onlinedienstes; mehrere durch Komma getrennt',
    example: '99050012104000',
  },
  { name: 'ozg_id', meaning: 'Kennung der OZG-Leistung(en); mehrere durch Komma getrennt', example: '10287' },
  {
    name: 'ars',
    meaning: 'Amtlicher Regionalschlüssel (12 Ziffern) der Region; 000000000000 = bundesweit',
    example: '064110000000',
  },
  { name: 'region', meaning: 'Name der Region', example: 'Darmstadt, Wissenschaftsstadt' },
  { name: 'monat', meaning: 'Berichtsmonat im Format JJJJ-MM', example: '2025-03' },
  {
    name: 'transaktionen',
    meaning:
      'Zahl der Transaktionen (Anträge, Anzeigen, Meldungen) im Monat und in der Region; 0 = gemeldet, keine',
    example: '1234',
  },
];

export const MASTER_DATA_COLUMNS: readonly ColumnDoc[] = [
  { name: 'dienst_id', meaning: 'Kennung des Onlinedienstes in der ZSK', example: '17' },
  { name: 'name', meaning: 'Name des Onlinedienstes', example: 'Elterngeld Digital' },
  {
    name: 'url',
    meaning: 'Adresse des Onlinedienstes (leer: keine angegeben)',
    example: 'https://www.elterngeld-digital.de',
  },
  { name: 'behoerde', meaning: 'Betreibende Behörde', example: 'Bundesministerium für Familie' },
  { name: 'typ', meaning: 'Typisierung der Leistung: 1, 2/3, 4 oder 5', example: '2/3' },
  { name: 'umsetzung', meaning: 'EfA (Einer für Alle) oder Eigenentwicklung', example: 'EfA' },
  {
    name: 'fokusleistung',
    meaning: 'ja, wenn der Dienst eine der 16 Fokusleistungen umsetzt, sonst nein',
    example: 'ja',
  },
  { name: 'granularitaet', meaning: 'Ebene der Zahlen: bund, land, kreis oder gemeinde', example: 'land' },
  { name: 'beschreibung', meaning: 'Kurzbeschreibung (leer: keine)', example: '' },
  {
    name: 'leika_schluessel',
    meaning: 'LeiKa-Leistungsschlüssel; mehrere durch Komma getrennt',
    example: '99050012104000',
  },
  { name: 'ozg_id', meaning: 'Kennung der OZG-Leistung(en); mehrere durch Komma getrennt', example: '10287' },
  {
    name: 'ozg_leistung',
    meaning: 'Name der OZG-Leistung(en); mehrere durch „ | “ getrennt',
    example: 'Elterngeld',
  },
  {
    name: 'themenfeld',
    meaning: 'Themenfeld(er) der OZG-Leistungen; mehrere durch „ | “ getrennt',
    example: 'Familie & Kind',
  },
  {
    name: 'portale',
    meaning: 'Portale, die den Dienst anbieten; mehrere durch „ | “ getrennt',
    example: 'Bundesportal',
  },
  {
    name: 'erster_monat',
    meaning: 'Erster Monat mit Daten (JJJJ-MM; leer: noch keine Daten)',
    example: '2023-01',
  },
  {
    name: 'letzter_monat',
    meaning: 'Letzter Monat mit Daten (JJJJ-MM; leer: noch keine Daten)',
    example: '2026-10',
  },
  { name: 'transaktionen_gesamt', meaning: 'Summe aller gemeldeten Transaktionen', example: '250000' },
];

export const DASHBOARD_COLUMNS: readonly ColumnDoc[] = [
  { name: 'leika_key', meaning: 'LeiKa-Leistungsschlüssel (14 Ziffern)', example: '99050012104000' },
  {
    name: 'ozgid',
    meaning:
      'OZG-Leistung(en), denen der Leistungskatalog den Schlüssel zuordnet; mehrere durch Komma getrennt',
    example: '10287',
  },
  {
    name: 'ars',
    meaning: 'Amtlicher Regionalschlüssel (12 Ziffern); 000000000000 = bundesweit',
    example: '060000000000',
  },
  {
    name: 'bundesland',
    meaning: 'Land aus den ersten beiden Ziffern des ARS; „bundesweit“ für 000000000000',
    example: 'Hessen',
  },
  { name: 'monat', meaning: 'Berichtsmonat im Format JJJJ-MM', example: '2025-03' },
  {
    name: 'transaktionen',
    meaning: 'Summe der Transaktionen aller veröffentlichten Onlinedienste mit diesem Leistungsschlüssel',
    example: '1234',
  },
];
