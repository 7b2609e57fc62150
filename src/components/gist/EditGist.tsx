"use client";

import { useRouter } from "next/navigation";
import { useMutation } from "@tanstack/react-query";
import { updateMyGist, type getGist } from "@/backend/services/gist.actions";
import { useServerAction } from "@/components/providers/RealtimeProvider";
import type { ActionData } from "@/components/action-data";
import { PageHeader } from "@/components/ui/PageHeader";
import { GistForm, type GistFormValues } from "./GistForm";

type Gist = ActionData<typeof getGist>;

export function EditGist({ gist }: { gist: Gist }) {
  const router = useRouter();
  const run = useServerAction();
  const update = useMutation({
    mutationFn: (values: GistFormValues) => run(updateMyGist({ id: gist.id, ...values })),
    onSuccess: () => router.push(`/gists/${gist.id}`),
  });
  return (
    <div>
      <PageHeader title={`Edit ${gist.title}`} />
      <GistForm
        initial={{
          title: gist.title,
          description: gist.description,
          is_public: gist.is_public,
          files: gist.files.map((f) => ({ filename: f.filename, content: f.content, language: f.language })),
        }}
        submitLabel="Save gist"
        onSubmit={(v) => update.mutateAsync(v)}
        onCancel={() => router.push(`/gists/${gist.id}`)}
        isPending={update.isPending}
        error={update.error}
      />
    </div>
  );
}
