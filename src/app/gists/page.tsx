import type { Metadata } from "next";
import { GistList } from "@/components/gist/GistList";

export const metadata: Metadata = { title: "Gists" };

export default function GistsPage() {
  return <GistList />;
}
