import type { Metadata } from "next";
import { MyArticles } from "@/components/dashboard/MyArticles";
import { requireSignedIn } from "../require-signed-in";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireSignedIn("/dashboard");
  return <MyArticles me={{ id: user.id, username: user.username, name: user.name }} />;
}
