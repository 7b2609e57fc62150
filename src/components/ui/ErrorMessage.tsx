/** Shows a failed query or mutation; errors are always surfaced, never swallowed. */
export function ErrorMessage({ error, className = "" }: { error: unknown; className?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : "Something went wrong.";
  return (
    <p role="alert" className={`rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700 ${className}`}>
      {message}
    </p>
  );
}
