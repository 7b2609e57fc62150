import { HomeFeed } from "@/components/article/HomeFeed";

export default function HomePage() {
  return <HomeFeed />;
}
