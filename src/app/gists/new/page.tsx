import type { Metadata } from "next";
import { NewGist } from "@/components/gist/NewGist";
import { requireSignedIn } from "../../require-signed-in";

export const metadata: Metadata = { title: "New gist" };

export default async function NewGistPage() {
  await requireSignedIn("/gists/new");
  return <NewGist />;
}
