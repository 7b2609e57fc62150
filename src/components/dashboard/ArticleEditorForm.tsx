"use client";

import { useId, useState, type FormEvent } from "react";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { button, input, label } from "@/components/ui/styles";

export type ArticleFormValues = { title: string; excerpt: string; body: string; tags: string[] };

export function parseTags(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((t) => t.trim().replace(/^#/, ""))
    .filter(Boolean);
}

export function ArticleEditorForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
  isPending,
  error,
}: {
  initial?: Partial<ArticleFormValues>;
  submitLabel: string;
  onSubmit: (values: ArticleFormValues) => Promise<unknown>;
  onCancel?: () => void;
  isPending: boolean;
  error: unknown;
}) {
  const id = useId();
  const [title, setTitle] = useState(initial?.title ?? "");
  const [excerpt, setExcerpt] = useState(initial?.excerpt ?? "");
  const [tags, setTags] = useState((initial?.tags ?? []).join(", "));
  const [body, setBody] = useState(initial?.body ?? "");

  async function handleSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      await onSubmit({ title, excerpt, body, tags: parseTags(tags) });
    } catch {
      // Shown through `error`; the form keeps what was typed.
    }
  }

  return (
    <form onSubmit={handleSubmit} className="space-y-3">
      <div>
        <label htmlFor={`${id}-title`} className={label}>
          Title
        </label>
        <input id={`${id}-title`} value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} className={input} />
      </div>
      <div>
        <label htmlFor={`${id}-excerpt`} className={label}>
          Excerpt
        </label>
        <input id={`${id}-excerpt`} value={excerpt} onChange={(e) => setExcerpt(e.target.value)} maxLength={300} className={input} />
      </div>
      <div>
        <label htmlFor={`${id}-tags`} className={label}>
          Tags
        </label>
        <input
          id={`${id}-tags`}
          value={tags}
          onChange={(e) => setTags(e.target.value)}
          placeholder="nextjs, realtime"
          className={input}
        />
        <p className="mt-1 text-xs text-slate-500">Comma separated, at most 5.</p>
      </div>
      <div>
        <label htmlFor={`${id}-body`} className={label}>
          Body
        </label>
        <textarea id={`${id}-body`} value={body} onChange={(e) => setBody(e.target.value)} rows={10} className={input} />
      </div>
      <ErrorMessage error={error} />
      <div className="flex gap-2">
        <button type="submit" disabled={isPending} className={button.primary}>
          {isPending ? "Saving…" : submitLabel}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel} className={button.secondary}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
