"use client";

import { useId, useState, type FormEvent } from "react";
import { Field, FormActions, type MutationFormProps, TextField } from "@/components/ui/FormFields";
import { input } from "@/components/ui/styles";

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
}: MutationFormProps<ArticleFormValues, Partial<ArticleFormValues>>) {
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
      <TextField id={`${id}-title`} label="Title" value={title} onValueChange={setTitle} required maxLength={200} />
      <TextField id={`${id}-excerpt`} label="Excerpt" value={excerpt} onValueChange={setExcerpt} maxLength={300} />
      <TextField
        id={`${id}-tags`}
        label="Tags"
        hint="Comma separated, at most 5."
        value={tags}
        onValueChange={setTags}
        placeholder="nextjs, realtime"
      />
      <Field id={`${id}-body`} label="Body">
        <textarea id={`${id}-body`} value={body} onChange={(e) => setBody(e.target.value)} rows={10} className={input} />
      </Field>
      <FormActions error={error} submitLabel={isPending ? "Saving…" : submitLabel} disabled={isPending} onCancel={onCancel} />
    </form>
  );
}
