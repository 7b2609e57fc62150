"use client";

import { useId, useState, type FormEvent } from "react";
import { FormActions, type MutationFormProps, TextField } from "@/components/ui/FormFields";
import { button, card, input } from "@/components/ui/styles";

export type GistFileValues = { filename: string; content: string; language?: string };
export type GistFormValues = { title: string; description: string; is_public: boolean; files: GistFileValues[] };

const MAX_FILES = 10;
const emptyFile = (): GistFileValues => ({ filename: "", content: "", language: "" });

/** Languages are a hint for display; an empty value lets the server decide. */
function cleanFiles(files: GistFileValues[]): GistFileValues[] {
  return files.map((f) => ({
    filename: f.filename.trim(),
    content: f.content,
    ...(f.language?.trim() ? { language: f.language.trim() } : {}),
  }));
}

export function GistForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
  isPending,
  error,
}: MutationFormProps<GistFormValues>) {
  const id = useId();
  const [title, setTitle] = useState(initial?.title ?? "");
  const [description, setDescription] = useState(initial?.description ?? "");
  const [isPublic, setIsPublic] = useState(initial?.is_public ?? true);
  const [files, setFiles] = useState<GistFileValues[]>(initial?.files.length ? initial.files : [emptyFile()]);

  const setFile = (index: number, patch: Partial<GistFileValues>) =>
    setFiles((list) => list.map((f, i) => (i === index ? { ...f, ...patch } : f)));

  async function handleSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      await onSubmit({ title: title.trim(), description, is_public: isPublic, files: cleanFiles(files) });
    } catch {
      // Rendered from `error`; keep the form as typed.
    }
  }

  return (
    <form onSubmit={handleSubmit} className="space-y-4">
      <TextField id={`${id}-title`} label="Title" value={title} onValueChange={setTitle} required maxLength={200} />
      <TextField id={`${id}-description`} label="Description" value={description} onValueChange={setDescription} maxLength={1000} />
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" checked={isPublic} onChange={(e) => setIsPublic(e.target.checked)} className="h-4 w-4" />
        Public (anyone can see it; unchecked: only you)
      </label>

      <fieldset className="space-y-3">
        <legend className="mb-2 text-sm font-medium text-slate-700">Files</legend>
        {files.map((file, i) => (
          <div key={i} className={`${card} space-y-2`}>
            <div className="flex flex-wrap gap-2">
              <div className="min-w-40 flex-1">
                <label htmlFor={`${id}-file-${i}-name`} className="sr-only">
                  Filename {i + 1}
                </label>
                <input
                  id={`${id}-file-${i}-name`}
                  value={file.filename}
                  onChange={(e) => setFile(i, { filename: e.target.value })}
                  placeholder="filename.ts"
                  required
                  maxLength={200}
                  className={`${input} font-mono`}
                />
              </div>
              <div className="w-36">
                <label htmlFor={`${id}-file-${i}-lang`} className="sr-only">
                  Language {i + 1}
                </label>
                <input
                  id={`${id}-file-${i}-lang`}
                  value={file.language ?? ""}
                  onChange={(e) => setFile(i, { language: e.target.value })}
                  placeholder="language"
                  maxLength={40}
                  className={input}
                />
              </div>
              {files.length > 1 ? (
                <button
                  type="button"
                  className={button.danger}
                  onClick={() => setFiles((list) => list.filter((_, j) => j !== i))}
                  aria-label={`Remove file ${i + 1}`}
                >
                  Remove
                </button>
              ) : null}
            </div>
            <label htmlFor={`${id}-file-${i}-content`} className="sr-only">
              Content of file {i + 1}
            </label>
            <textarea
              id={`${id}-file-${i}-content`}
              value={file.content}
              onChange={(e) => setFile(i, { content: e.target.value })}
              rows={8}
              spellCheck={false}
              className={`${input} font-mono text-xs`}
            />
          </div>
        ))}
        {files.length < MAX_FILES ? (
          <button type="button" className={button.secondary} onClick={() => setFiles((list) => [...list, emptyFile()])}>
            Add file
          </button>
        ) : null}
      </fieldset>

      <FormActions error={error} submitLabel={isPending ? "Saving…" : submitLabel} disabled={isPending} onCancel={onCancel} />
    </form>
  );
}
