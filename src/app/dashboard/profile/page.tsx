import type { Metadata } from "next";
import { ProfileForm } from "@/components/dashboard/ProfileForm";
import { requireSignedIn } from "../../require-signed-in";

export const metadata: Metadata = { title: "Profile" };

export default async function ProfileSettingsPage() {
  const user = await requireSignedIn("/dashboard/profile");
  return <ProfileForm me={{ id: user.id, username: user.username, name: user.name, bio: user.bio }} />;
}
