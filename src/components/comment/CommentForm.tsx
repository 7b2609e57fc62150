"use client";

import { useId, useState, type FormEvent } from "react";
import { FormActions } from "@/components/ui/FormFields";
import { input } from "@/components/ui/styles";

/**
 * A textarea with a submit button. After the mutation succeeded it removes only the text it submitted: the promise
 * resolves once the new comment is shown, and anything typed in the meantime (the next comment of a lively thread)
 * stays in the box.
 */
export function CommentForm({
  label,
  submitLabel,
  initialBody = "",
  onSubmit,
  onCancel,
  isPending,
  error,
  autoFocus,
}: {
  label: string;
  submitLabel: string;
  initialBody?: string;
  onSubmit: (body: string) => Promise<unknown>;
  onCancel?: () => void;
  isPending: boolean;
  error: unknown;
  autoFocus?: boolean;
}) {
  const id = useId();
  const [body, setBody] = useState(initialBody);

  async function handleSubmit(e: FormEvent) {
    e.preventDefault();
    const submitted = body;
    if (!submitted.trim()) return;
    try {
      await onSubmit(submitted);
      setBody((current) => withoutSubmitted(current, submitted));
    } catch {
      // The mutation's error state renders the message below; keep the text so nothing typed is lost.
    }
  }

  return (
    <form onSubmit={handleSubmit} className="space-y-2">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <textarea
        id={id}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        placeholder={label}
        rows={3}
        maxLength={5000}
        autoFocus={autoFocus}
        className={input}
      />
      <FormActions error={error} submitLabel={submitLabel} disabled={isPending || !body.trim()} onCancel={onCancel} />
    </form>
  );
}

/**
 * What stays in the box once `submitted` was posted: nothing if it still holds exactly that text, the continuation if
 * the writer kept typing after it, and everything if they replaced it with a new comment.
 */
function withoutSubmitted(current: string, submitted: string): string {
  if (current === submitted) return "";
  if (current.startsWith(submitted)) return current.slice(submitted.length).trimStart();
  return current;
}
