import { notFound } from "next/navigation";
import { getUserProfile } from "@/backend/services/user.actions";
import { ProfileView } from "@/components/user/ProfileView";
import { dataOrNotFound } from "../server-result";
import { parseAtUsername } from "./parse-username";

export default async function ProfilePage({ params }: { params: Promise<{ username: string }> }) {
  const { username: segment } = await params;
  const username = parseAtUsername(segment);
  if (!username) notFound();
  const profile = dataOrNotFound(await getUserProfile({ username }));
  return <ProfileView initialProfile={profile} />;
}
