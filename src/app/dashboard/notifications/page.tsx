import type { Metadata } from "next";
import { NotificationList } from "@/components/dashboard/NotificationList";
import { requireSignedIn } from "../../require-signed-in";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  await requireSignedIn("/dashboard/notifications");
  return <NotificationList />;
}
