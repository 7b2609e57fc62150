/**
 * A UTC calendar date: identical on the server and in the browser, so server-rendered client
 * components hydrate without a locale or timezone mismatch.
 */
export function Time({ value }: { value: Date | string | null | undefined }) {
  if (!value) return null;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  return (
    <time dateTime={iso} className="text-slate-500">
      {iso.slice(0, 10)}
    </time>
  );
}
