/**
 * Alert notification.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated), with a
 * status: v1beta2 without inclusionList.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA1, KIND } from "./common.ts";
import * as v1beta2 from "./v1beta2.ts";

export const API_VERSION = API_VERSION_V1BETA1;

export const AlertSpec = v1beta2.AlertSpec.omit({ inclusionList: true });

export const AlertStatus = v1beta2.AlertStatus;

export const Alert = kindObject(z.literal(API_VERSION), KIND, {
  spec: AlertSpec,
  status: AlertStatus,
});
export type Alert = z.infer<typeof Alert>;
