import { notFound } from "next/navigation";
import { getGist } from "@/backend/services/gist.actions";
import { GistView } from "@/components/gist/GistView";
import { dataOrNotFound } from "../../server-result";
import { parseGistId } from "../gist-id";

export default async function GistPage({ params }: { params: Promise<{ id: string }> }) {
  const id = parseGistId((await params).id);
  if (id === null) notFound();
  // getGist applies canReadResource: a private gist is a 404 for everyone but its owner.
  const gist = dataOrNotFound(await getGist({ id }));
  return <GistView initialGist={gist} />;
}
