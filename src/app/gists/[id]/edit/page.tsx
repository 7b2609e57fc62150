import { notFound } from "next/navigation";
import { getGist } from "@/backend/services/gist.actions";
import { EditGist } from "@/components/gist/EditGist";
import { requireSignedIn } from "../../../require-signed-in";
import { dataOrNotFound } from "../../../server-result";
import { parseGistId } from "../../gist-id";

export default async function EditGistPage({ params }: { params: Promise<{ id: string }> }) {
  const { id: idSegment } = await params;
  const user = await requireSignedIn(`/gists/${encodeURIComponent(idSegment)}/edit`);
  const id = parseGistId(idSegment);
  if (id === null) notFound();
  const gist = dataOrNotFound(await getGist({ id }));
  // Someone else's public gist is readable but not editable here.
  if (gist.owner.id !== user.id) notFound();
  return <EditGist gist={gist} />;
}
