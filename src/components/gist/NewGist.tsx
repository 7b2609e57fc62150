"use client";

import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { createMyGist } from "@/backend/services/gist.actions";
import { queryKeys } from "@/lib/query-keys";
import { useServerAction } from "@/components/providers/RealtimeProvider";
import { PageHeader } from "@/components/ui/PageHeader";
import { GistForm, type GistFormValues } from "./GistForm";

export function NewGist() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const run = useServerAction();
  const create = useMutation({
    mutationFn: (values: GistFormValues) => run(createMyGist(values)),
    onSuccess: (gist) => {
      // The new page opens on the gist the action returned, without a loading state.
      queryClient.setQueryData(queryKeys.gist(gist.id), gist);
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
