/** Text taken literally in a LIKE/ILIKE pattern: its %, _ and \ escaped (PostgreSQL's default escape). */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A LIKE/ILIKE pattern matching values that contain the text anywhere. */
export const containsPattern = (text: string) => `%${escapeLike(text)}%`;
