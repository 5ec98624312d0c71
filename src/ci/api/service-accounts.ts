/**
 * Kubernetes ServiceAccount tokens, checked with the TokenReview API. A ServiceAccount of the
 * namespace `concourse-TEAM` is a member of TEAM (the namespace ci/vars reads the team's secrets
 * from); other accounts belong to no team.
 */
import type { KubeClient } from "../../kube/client.ts";
import type { Identity } from "./tokens.ts";

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string };
}

const PREFIX = "system:serviceaccount:";
const TEAM_NAMESPACE = /^concourse-(.+)$/;

export type TokenReviewer = (token: string) => Promise<Identity | undefined>;

export function serviceAccountReviewer(client: KubeClient): TokenReviewer {
  return async (token) => {
    const review = await client.request<{ status?: TokenReviewStatus }>(
      "POST",
      "/apis/authentication.k8s.io/v1/tokenreviews",
      { body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } } },
    );
    const username = review.status?.user?.username;
    if (!review.status?.authenticated || !username?.startsWith(PREFIX)) return undefined;
    const namespace = username.slice(PREFIX.length).split(":")[0] ?? "";
    const team = TEAM_NAMESPACE.exec(namespace)?.[1];
    const teams = team ? [team] : [];
    return { user: username, teams, admin: teams.includes("main") };
  };
}
