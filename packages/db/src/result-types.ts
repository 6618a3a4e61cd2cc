import pg from "pg";

// Postgres type ids (pg_type.oid) whose parsing differs between pg's defaults and Prisma.
const INT8 = 20;
const INT8_ARRAY = 1016;
const DATE = 1082;

/**
 * Result parsing for queries sent straight through pg: values come back as
 * Prisma's raw queries give them (int8 as BigInt, date as UTC midnight), so
 * that a store reads the same on Postgres as on PGlite, which goes through
 * Prisma. Numeric stays a string (Prisma's Decimal prints the same).
 */
export const PRISMA_COMPATIBLE_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === INT8) return (value: string) => BigInt(value);
    if (oid === INT8_ARRAY) {
      const parseArray = (pg.types.getTypeParser as (oid: number) => (value: string) => (string | null)[])(INT8_ARRAY);
      return (value: string) => parseArray(value).map((v) => (v === null ? null : BigInt(v)));
    }
    if (oid === DATE) return (value: string) => new Date(`${value}T00:00:00Z`);
    return (pg.types.getTypeParser as (oid: number, format?: "text" | "binary") => unknown)(oid, format);
  }) as pg.CustomTypesConfig["getTypeParser"],
};
