import type { Metadata } from "next";
import { MyBookmarks } from "@/components/dashboard/MyBookmarks";
import { requireSignedIn } from "../../require-signed-in";

export const metadata: Metadata = { title: "Bookmarks" };

export default async function BookmarksPage() {
  await requireSignedIn("/dashboard/bookmarks");
  return <MyBookmarks />;
}
