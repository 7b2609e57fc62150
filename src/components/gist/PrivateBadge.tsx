export function PrivateBadge() {
  return (
    <span className="rounded bg-slate-200 px-1.5 py-0.5 text-xs font-semibold uppercase tracking-wide text-slate-700">
      Private
    </span>
  );
}
