import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { doksVersionPinned, helmChartPinned, noDefaultNamespace } from "./cluster";
import { databaseFirewall, databasePrivateNetwork, databaseStandbyPlan, prodDatabaseProtected } from "./database";
import { prodMonitoring } from "./monitoring";
import { gatewayTls, ingressTls, serviceExposure } from "./network";
import { hpaMinReplicas, hpaOwnsReplicas, prodReplicas } from "./scaling";
import {
    configMapNoCredentials,
    containerResources,
    imagePinned,
    noPrivilegeEscalation,
    noPrivileged,
    runAsNonRoot,
} from "./workloads";

/** Every policy of the pack, in the order they are reported. */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    containerResources,
    imagePinned,
    runAsNonRoot,
    noPrivileged,
    noPrivilegeEscalation,
    ingressTls,
    gatewayTls,
    hpaMinReplicas,
    prodReplicas,
    hpaOwnsReplicas,
    serviceExposure,
    helmChartPinned,
    doksVersionPinned,
    databasePrivateNetwork,
    databaseStandbyPlan,
    databaseFirewall,
    prodDatabaseProtected,
    prodMonitoring,
    configMapNoCredentials,
    noDefaultNamespace,
];
