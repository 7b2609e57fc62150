import type { Metadata } from "next";
import { SessionList } from "@/components/dashboard/SessionList";
import { requireSignedIn } from "../../require-signed-in";

export const metadata: Metadata = { title: "Sessions" };

export default async function SessionsPage() {
  await requireSignedIn("/dashboard/sessions");
  return <SessionList />;
}
