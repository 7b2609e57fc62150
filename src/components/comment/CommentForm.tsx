"use client";

import { useId, useState, type FormEvent } from "react";
import { FormActions } from "@/components/ui/FormFields";
import { input } from "@/components/ui/styles";

/** A textarea with a submit button; clears itself only after the mutation succeeded. */
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
    if (!body.trim()) return;
    try {
      await onSubmit(body);
      setBody("");
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
