/**
 * Words of the service catalogue. The 14 Themenfelder are those of the OZG-Umsetzungskatalog; the
 * Typisierung codes those of the FIM/LeiKa catalogue (a/b: execution differs between Länder).
 */
export const OZG_THEMENFELDER = [
  'Arbeit & Ruhestand',
  'Bauen & Wohnen',
  'Bildung',
  'Ein- & Auswanderung',
  'Engagement & Hobby',
  'Familie & Kind',
  'Forschung & Förderung',
  'Gesundheit',
  'Mobilität & Reisen',
  'Querschnitt',
  'Recht & Ordnung',
  'Steuern & Zoll',
  'Umwelt',
  'Unternehmensführung & -entwicklung',
] as const;

export type Themenfeld = (typeof OZG_THEMENFELDER)[number];

export const TYPISIERUNGEN: readonly string[] = ['1', '2', '2/3', '2/3a', '2/3b', '3', '4', '5'];

const normalise = (s: string) =>
  s
    .toLowerCase()
    .replace(/\bund\b/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

const BY_NORMALISED = new Map(OZG_THEMENFELDER.map((t) => [normalise(t), t]));

/** The official spelling of a Themenfeld, accepting "und" for "&" and any case; null if unknown. */
export function canonicalThemenfeld(input: string): Themenfeld | null {
  return BY_NORMALISED.get(normalise(input)) ?? null;
}
