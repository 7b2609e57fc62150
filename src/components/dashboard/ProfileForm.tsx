"use client";

import { useId, useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getUserProfile, updateMyProfile } from "@/backend/services/user.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { PageHeader } from "@/components/ui/PageHeader";
import { Field, TextField } from "@/components/ui/FormFields";
import { button, card, input } from "@/components/ui/styles";

type Me = { id: string; username: string; name: string; bio: string };
type Fields = { name: string; bio: string };

/**
 * The profile settings form. It reads the same `["user", id]` query as the profile card, so a save made on another
 * device (the `user` signal on the user's channel) reaches it: taken over when this form has no edits of its own,
 * otherwise announced, never overwriting what is being typed.
 */
export function ProfileForm({ me }: { me: Me }) {
  const id = useId();
  const router = useRouter();
  const queryClient = useQueryClient();
  const profile = useQuery({
    queryKey: queryKeys.user(me.id),
    queryFn: async () => unwrap(await getUserProfile({ username: me.username })),
    initialData: me,
  });
  const [name, setName] = useState(me.name);
  const [bio, setBio] = useState(me.bio);
  // The saved values the form last started from; the difference to them is this form's own unsaved edit.
  const [base, setBase] = useState<Fields>({ name: me.name, bio: me.bio });
  const [changedElsewhere, setChangedElsewhere] = useState(false);

  const latest = profile.data;
  if (latest.name !== base.name || latest.bio !== base.bio) {
    const untouched = name === base.name && bio === base.bio;
    setBase({ name: latest.name, bio: latest.bio });
    if (untouched) {
      setName(latest.name);
      setBio(latest.bio);
    } else if (name !== latest.name || bio !== latest.bio) {
      setChangedElsewhere(true);
    }
  }

  const save = useMutation({
    mutationFn: async () => unwrap(await updateMyProfile({ name, bio })),
    onSuccess: (saved) => {
      // The server's version (trimmed) becomes the form's base, so the card query below holds no surprise.
      setBase({ name: saved.name, bio: saved.bio });
      setName(saved.name);
      setBio(saved.bio);
      setChangedElsewhere(false);
      queryClient.setQueryData(queryKeys.user(me.id), saved);
      // The layout renders the name from the session; refresh it too.
      router.refresh();
    },
  });

  function handleSubmit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }

  function loadLatest() {
    setName(latest.name);
    setBio(latest.bio);
    setChangedElsewhere(false);
  }

  return (
    <div>
      <PageHeader title="Profile" />
      <form onSubmit={handleSubmit} className={`${card} space-y-4`}>
        <p className="text-sm text-slate-600">
          Signed in as <span className="font-medium">@{me.username}</span>
        </p>
        {changedElsewhere ? (
          <p role="status" className="flex flex-wrap items-center gap-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
            Your profile was changed on another device.
            <button type="button" className={button.link} onClick={loadLatest}>
              Load the saved version
            </button>
          </p>
        ) : null}
        <TextField id={`${id}-name`} label="Name" value={name} onValueChange={setName} required maxLength={100} />
        <Field id={`${id}-bio`} label="Bio">
          <textarea id={`${id}-bio`} value={bio} onChange={(e) => setBio(e.target.value)} rows={4} maxLength={500} className={input} />
        </Field>
        <ErrorMessage error={save.error} />
        {save.isSuccess && !save.isPending ? (
          <p role="status" className="text-sm text-emerald-700">
            Profile saved.
          </p>
        ) : null}
        <button type="submit" disabled={save.isPending} className={button.primary}>
          {save.isPending ? "Saving…" : "Save profile"}
        </button>
      </form>
    </div>
  );
}
