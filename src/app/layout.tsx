import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { getSession } from "@/backend/services/session.actions";
import { Navbar } from "@/components/navbar/Navbar";
import { realtime } from "@/backend/realtime/server";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "TechDiary", template: "%s · TechDiary" },
  description: "Articles, gists and conversations, kept fresh in realtime.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const { user } = await getSession();
  // Only what the browser needs: never the email or the session row.
  const currentUser = user ? { id: user.id, username: user.username, name: user.name } : null;
  return (
    <html lang="en">
      <body className="min-h-screen">
        <Providers user={currentUser} realtime={realtime.clientConfig()}>
          <Navbar />
          <main className="mx-auto w-full max-w-3xl px-4 py-6 sm:py-10">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
