{{/*
All names, labels and derived figures of the chart live here; templates never build a name or a
label themselves.
*/}}

{{- define "docsift.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "docsift.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A name derived from the full name with a suffix, kept within 52 characters so CronJob names (which get 11 more) stay valid. */}}
{{- define "docsift.componentName" -}}
{{- $full := include "docsift.fullname" .root | trunc (int (sub 51 (len .component))) | trimSuffix "-" }}
{{- printf "%s-%s" $full .component }}
{{- end }}

{{- define "docsift.restartName" -}}
{{- include "docsift.componentName" (dict "root" . "component" "restart") }}
{{- end }}

{{- define "docsift.redriveName" -}}
{{- include "docsift.componentName" (dict "root" . "component" "dlq-redrive") }}
{{- end }}

{{- define "docsift.backfillName" -}}
{{- include "docsift.componentName" (dict "root" . "component" "backfill") }}
{{- end }}

{{- define "docsift.metricsName" -}}
{{- include "docsift.componentName" (dict "root" . "component" "metrics") }}
{{- end }}

{{- define "docsift.dashboardName" -}}
{{- include "docsift.componentName" (dict "root" . "component" "dashboard") }}
{{- end }}

{{- define "docsift.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "docsift.selectorLabels" -}}
app.kubernetes.io/name: {{ include "docsift.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of every object; pass (dict "root" $ "component" "worker"). */}}
{{- define "docsift.labels" -}}
helm.sh/chart: {{ include "docsift.chart" .root }}
{{ include "docsift.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: docsift
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector of the worker pods (the CronJob pods carry another component). */}}
{{- define "docsift.workerSelectorLabels" -}}
{{ include "docsift.selectorLabels" . }}
app.kubernetes.io/component: worker
{{- end }}

{{- define "docsift.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "docsift.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "docsift.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if eq $tag "latest" }}
{{- fail "image.tag: `latest` is not allowed; pin a version or set image.digest" }}
{{- end }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* Container memory limit in MiB, from resources.limits.memory ("1400Mi" or "2Gi"). */}}
{{- define "docsift.memoryLimitMiB" -}}
{{- $m := toString .Values.resources.limits.memory }}
{{- if hasSuffix "Gi" $m }}
{{- mul (int (trimSuffix "Gi" $m)) 1024 }}
{{- else if hasSuffix "Mi" $m }}
{{- int (trimSuffix "Mi" $m) }}
{{- else }}
{{- fail (printf "resources.limits.memory=%s: use Mi or Gi (e.g. 1400Mi)" $m) }}
{{- end }}
{{- end }}

{{- define "docsift.memorySoftMiB" -}}
{{- div (mul (int (include "docsift.memoryLimitMiB" .)) (int .Values.memoryGuard.softPercent)) 100 }}
{{- end }}

{{- define "docsift.checkMemoryGuard" -}}
{{- if le (int .Values.memoryGuard.hardPercent) (int .Values.memoryGuard.softPercent) }}
{{- fail (printf "memoryGuard.hardPercent=%v must be above memoryGuard.softPercent=%v" .Values.memoryGuard.hardPercent .Values.memoryGuard.softPercent) }}
{{- end }}
{{- end }}

{{/* For NOTES only: the worker derives its own thresholds from the cgroup limit and the percents. */}}
{{- define "docsift.memoryHardMiB" -}}
{{- div (mul (int (include "docsift.memoryLimitMiB" .)) (int .Values.memoryGuard.hardPercent)) 100 }}
{{- end }}

{{/* Grace period: longer than the longest message (or drain) may take, plus a margin to flush and exit. */}}
{{- define "docsift.terminationGracePeriodSeconds" -}}
{{- add (max (int .Values.worker.processingTimeout) (int .Values.worker.shutdownTimeout)) (int .Values.worker.terminationGraceMarginSeconds) }}
{{- end }}

{{- define "docsift.queueUrl" -}}
{{- required "queue.url is required: the SQS queue URL the worker consumes" .Values.queue.url }}
{{- end }}

{{- define "docsift.heartbeatDir" -}}/var/run/docsift/heartbeat{{- end }}
{{- define "docsift.tempDir" -}}/tmp/docsift{{- end }}

{{/* Label matchers for this release's docsift series in alert expressions. */}}
{{- define "docsift.metricSelector" -}}
{{- if .Values.prometheusRule.selector }}
{{- .Values.prometheusRule.selector }}
{{- else }}
{{- printf "namespace=%q,job=%q" .Release.Namespace (include "docsift.fullname" .) }}
{{- end }}
{{- end }}

{{/* Matchers for kube-state-metrics series of the worker containers. */}}
{{- define "docsift.ksmSelector" -}}
{{- printf "namespace=%q,pod=~%q,container=\"docsift\"" .Release.Namespace (printf "%s-.*" (include "docsift.fullname" .)) }}
{{- end }}

{{/* Restricted Pod Security: pod level. */}}
{{- define "docsift.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.runAsUser }}
runAsGroup: {{ .Values.runAsUser }}
fsGroup: {{ .Values.runAsUser }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Restricted Pod Security: container level. */}}
{{- define "docsift.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: {{ .Values.runAsUser }}
runAsGroup: {{ .Values.runAsUser }}
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Environment shared by the worker and the DLQ-redrive Job, as a JSON object (name -> value). */}}
{{- define "docsift.awsEnv" -}}
{{- $env := dict "QUEUE_URL" (include "docsift.queueUrl" .) "AWS_REGION" .Values.aws.region "S3_FORCE_PATH_STYLE" (toString .Values.aws.s3ForcePathStyle) "LOG_LEVEL" .Values.worker.logLevel }}
{{- with .Values.queue.dlqUrl }}{{ $_ := set $env "DLQ_URL" . }}{{ end }}
{{- with .Values.aws.endpoint }}{{ $_ := set $env "AWS_ENDPOINT_URL" . }}{{ end }}
{{- toJson $env }}
{{- end }}

{{/*
What is indexed and where the one-shot commands keep their state, as a JSON object (name -> value):
the worker and the backfill Job must agree on the key filters, and the workers read reconcile
reports from the STATE_URI the commands write to.
*/}}
{{- define "docsift.coverageEnv" -}}
{{- $env := dict "S3_TAGS_ENABLED" (toString .Values.s3Tags.enabled) }}
{{- with .Values.keys.include }}{{ $_ := set $env "INCLUDE_KEYS" (join "," .) }}{{ end }}
{{- with .Values.keys.exclude }}{{ $_ := set $env "EXCLUDE_KEYS" (join "," .) }}{{ end }}
{{- with .Values.state.uri }}{{ $_ := set $env "STATE_URI" . }}{{ end }}
{{- toJson $env }}
{{- end }}

{{/*
Renders an env list from a JSON object of chart-managed variables, with the user's `env` map
winning on the same name, then `extraEnv`. Sorted so renders are stable.
*/}}
{{- define "docsift.renderEnv" -}}
{{- $env := merge (deepCopy .root.Values.env) (.chartEnv | fromJson) }}
{{- range $name := keys $env | sortAlpha }}
- name: {{ $name }}
  value: {{ get $env $name | toString | quote }}
{{- end }}
{{- with .root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}


{{- define "docsift.kedaEndpoint" -}}
{{- default .Values.aws.endpoint .Values.autoscaling.keda.awsEndpoint }}
{{- end }}

{{/*
The OpenSearch endpoint is required: without OPENSEARCH_URL the worker falls back to its
development file sink, which cannot be created under the read-only root (the pod crash-loops), and
on a writable emptyDir it would hold documents whose messages are already deleted until the pod
goes, losing them. A render-time failure says what to set instead.
*/}}
{{- define "docsift.openSearchUrl" -}}
{{- required "opensearch.url is required: the OpenSearch endpoint documents are indexed into (OPENSEARCH_URL), e.g. --set opensearch.url=https://search-docs.eu-west-1.es.amazonaws.com. Put credentials in existingSecret as OPENSEARCH_USERNAME/OPENSEARCH_PASSWORD, not in the URL" .Values.opensearch.url }}
{{- end }}

{{/*
Kubernetes gives an explicit `env` entry precedence over `envFrom`, so a key of existingSecret that
the chart also sets would be ignored without a word. When the cluster can be asked (install and
upgrade; `helm template` cannot), such a Secret fails the release instead. Pass (dict "root" $ "env" $envDict).
*/}}
{{- define "docsift.checkSecretShadowing" -}}
{{- with .root.Values.existingSecret }}
{{- $secret := lookup "v1" "Secret" $.root.Release.Namespace . }}
{{- $shadowed := list }}
{{- range $key, $_ := ($secret.data | default dict) }}
{{- if or (hasKey $.env $key) (hasKey $.root.Values.env $key) }}{{ $shadowed = append $shadowed $key }}{{ end }}
{{- end }}
{{- if $shadowed }}
{{- fail (printf "existingSecret %s holds %s, which the chart also sets as env (env wins over envFrom, so the Secret's value would be ignored): remove the key from the Secret, or leave the matching value unset" . (join ", " (sortAlpha $shadowed))) }}
{{- end }}
{{- end }}
{{- end }}

{{/* The chart's optional CRD objects fail at render, naming the switch, when the cluster lacks the API. */}}
{{- define "docsift.requireApi" -}}
{{- if not (.root.Capabilities.APIVersions.Has .api) }}
{{- fail (printf "%s needs the %s API (%s), which this cluster does not serve: %s. With `helm template`, declare it with --api-versions %s" .value .api .what .fix .api) }}
{{- end }}
{{- end }}

{{/* KEDA's HPA: KEDA's own default name, never the chart's CPU HPA's, so switching modes cannot adopt or collide. */}}
{{- define "docsift.kedaHpaName" -}}
{{- printf "keda-hpa-%s" (include "docsift.fullname" .) }}
{{- end }}

{{/* The IRSA role of the worker's ServiceAccount, from roleArn or a hand-set annotation. */}}
{{- define "docsift.workloadRoleArn" -}}
{{- default (index .Values.serviceAccount.annotations "eks.amazonaws.com/role-arn" | default "") .Values.serviceAccount.roleArn }}
{{- end }}

{{/* Grafana dashboard uid, unique per release (Grafana keeps one dashboard per uid; at most 40 characters). */}}
{{- define "docsift.dashboardUid" -}}
{{- printf "docsift-%s" (sha256sum (printf "%s/%s" .Release.Namespace (include "docsift.fullname" .)) | trunc 12) }}
{{- end }}
