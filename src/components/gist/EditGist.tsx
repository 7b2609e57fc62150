"use client";

import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { updateMyGist, type getGist } from "@/backend/services/gist.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import type { ActionData } from "@/components/action-data";
import { PageHeader } from "@/components/ui/PageHeader";
import { GistForm, type GistFormValues } from "./GistForm";

type Gist = ActionData<typeof getGist>;

export function EditGist({ gist }: { gist: Gist }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const update = useMutation({
    mutationFn: async (values: GistFormValues) => unwrap(await updateMyGist({ id: gist.id, ...values })),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.gist(gist.id) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.gists() }),
      ]);
      router.push(`/gists/${gist.id}`);
    },
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
