"use client";

import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { createMyGist } from "@/backend/services/gist.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { PageHeader } from "@/components/ui/PageHeader";
import { GistForm, type GistFormValues } from "./GistForm";

export function NewGist() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: async (values: GistFormValues) => unwrap(await createMyGist(values)),
    onSuccess: async (gist) => {
      queryClient.setQueryData(queryKeys.gist(gist.id), gist);
      await queryClient.invalidateQueries({ queryKey: queryKeys.gists() });
      router.push(`/gists/${gist.id}`);
    },
  });
  return (
    <div>
      <PageHeader title="New gist" />
      <GistForm
        submitLabel="Create gist"
        onSubmit={(v) => create.mutateAsync(v)}
        onCancel={() => router.push("/gists")}
        isPending={create.isPending}
        error={create.error}
      />
    </div>
  );
}
