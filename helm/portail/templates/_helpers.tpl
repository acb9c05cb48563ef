{{/*
Chart name, truncated to the 63 characters of a DNS label.
*/}}
{{- define "portail.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's resources: <release>-<chart>, or the release name
alone when it already contains the chart name. Truncated to 63 characters.
*/}}
{{- define "portail.fullname" -}}
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

{{/*
Name of a secondary resource: the full name plus a suffix, kept within 63
characters by shortening the full name, never the suffix.
*/}}
{{- define "portail.fullname.suffixed" -}}
{{- $root := index . 0 }}
{{- $suffix := index . 1 }}
{{- printf "%s-%s" (include "portail.fullname" $root | trunc (int (sub 62 (len $suffix))) | trimSuffix "-") $suffix }}
{{- end }}

{{/*
Chart label value: name-version.
*/}}
{{- define "portail.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels shared by every resource.
*/}}
{{- define "portail.labels" -}}
helm.sh/chart: {{ include "portail.chart" . }}
{{ include "portail.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: portail-famille
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Labels that identify the release's pods (name and instance).
*/}}
{{- define "portail.selectorLabels" -}}
app.kubernetes.io/name: {{ include "portail.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Selector of the web pods. The component label keeps the migration Job's pods
out of the Service, the PodDisruptionBudget and the spread constraints.
*/}}
{{- define "portail.web.selectorLabels" -}}
{{ include "portail.selectorLabels" . }}
app.kubernetes.io/component: web
{{- end }}

{{/*
Selector of the migration Job's pods.
*/}}
{{- define "portail.migrate.selectorLabels" -}}
{{ include "portail.selectorLabels" . }}
app.kubernetes.io/component: migrate
{{- end }}

{{/*
metadata.annotations of a resource: commonAnnotations merged with the given
ones, on a new line indented for metadata. Call right after the labels with
{{- include "portail.annotations" (list $ $annotationsDict) }}: it renders
nothing when both are empty.
*/}}
{{- define "portail.annotations" -}}
{{- $root := index . 0 }}
{{- $own := index . 1 | default dict }}
{{- $all := merge (deepCopy $own) (deepCopy ($root.Values.commonAnnotations | default dict)) }}
{{- if $all }}
{{- printf "annotations:\n%s" (toYaml $all | indent 2) | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Name of the ServiceAccount of the web pods.
*/}}
{{- define "portail.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "portail.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
ServiceAccount of the migration Job. On a first install the hook runs before
the chart's own ServiceAccount exists, so the Job may only name an account
that already exists: an explicit one, a pre-made one, or the namespace's
"default" (with no token mounted either way).
*/}}
{{- define "portail.migrate.serviceAccountName" -}}
{{- if .Values.migrations.serviceAccountName }}
{{- .Values.migrations.serviceAccountName }}
{{- else if and (not .Values.serviceAccount.create) .Values.serviceAccount.name }}
{{- .Values.serviceAccount.name }}
{{- else }}
{{- "default" }}
{{- end }}
{{- end }}

{{/*
Container image reference: registry/repository, then @digest or :tag.
*/}}
{{- define "portail.image" -}}
{{- $repo := .Values.image.repository }}
{{- if .Values.image.registry }}
{{- $repo = printf "%s/%s" (trimSuffix "/" .Values.image.registry) .Values.image.repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repo .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}
{{- end }}

{{/*
Name of the Secret the web pods read DATABASE_URL, REDIS_URL... from.
*/}}
{{- define "portail.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else }}
{{- include "portail.fullname" . }}
{{- end }}
{{- end }}

{{/*
Name of the Secret the migration Job reads: the existing Secret, else the
hook Secret rendered for the Job (the release's own Secret does not exist yet
when a pre-install hook runs).
*/}}
{{- define "portail.migrate.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else }}
{{- include "portail.fullname.suffixed" (list . "migrate") }}
{{- end }}
{{- end }}

{{/*
Public URL: the configured one, else derived from the first Ingress host,
else the port-forward address printed by NOTES.txt.
*/}}
{{- define "portail.publicUrl" -}}
{{- if .Values.config.publicUrl }}
{{- .Values.config.publicUrl | trimSuffix "/" }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- $host := (first .Values.ingress.hosts).host }}
{{- $tls := false }}
{{- range .Values.ingress.tls }}
{{- if has $host (.hosts | default list) }}
{{- $tls = true }}
{{- end }}
{{- end }}
{{- printf "%s://%s" (ternary "https" "http" $tls) $host }}
{{- else }}
{{- "http://127.0.0.1:8080" }}
{{- end }}
{{- end }}

{{/*
Non-secret settings, as a YAML map of strings. Used by the ConfigMap (web
pods) and inlined in the migration Job (which runs before the ConfigMap
exists on a first install).
*/}}
{{- define "portail.configData" -}}
PUBLIC_URL: {{ include "portail.publicUrl" . | quote }}
LOG_FORMAT: {{ .Values.config.logFormat | quote }}
RUST_LOG: {{ .Values.config.rustLog | quote }}
LISTEN_ADDR: {{ printf "0.0.0.0:%d" (int .Values.containerPorts.http) | quote }}
SHUTDOWN_GRACE_SECONDS: {{ .Values.config.shutdownGraceSeconds | int | toString | quote }}
MAIL_DIR: {{ .Values.config.mailDir | quote }}
{{- if .Values.config.mailFrom }}
MAIL_FROM: {{ .Values.config.mailFrom | quote }}
{{- end }}
MAX_UPLOAD_BYTES: {{ .Values.config.maxUploadBytes | int | toString | quote }}
UPLOAD_CONCURRENCY: {{ .Values.config.uploadConcurrency | int | toString | quote }}
{{- if .Values.config.trustedProxies }}
TRUSTED_PROXIES: {{ .Values.config.trustedProxies | quote }}
{{- end }}
{{- $hosts := list }}
{{- range .Values.config.extraHosts }}{{ $hosts = append $hosts . }}{{- end }}
{{- if .Values.ingress.enabled }}
{{- range .Values.ingress.hosts }}{{ $hosts = append $hosts .host }}{{- end }}
{{- end }}
{{- if $hosts }}
EXTRA_HOSTS: {{ $hosts | uniq | join "," | quote }}
{{- end }}
HOUSEHOLD_QUOTA_BYTES: {{ .Values.config.householdQuotaBytes | int64 | toString | quote }}
{{- if .Values.config.clamdAddress }}
CLAMD_ADDRESS: {{ .Values.config.clamdAddress | quote }}
{{- end }}
DATABASE_POOLER: {{ .Values.config.databasePooler | quote }}
{{- range $name, $value := .Values.config.extra }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/*
Secret settings, as a YAML map of strings (stringData). Used by the release
Secret and by the migration hook Secret.
*/}}
{{- define "portail.secretData" -}}
DATABASE_URL: {{ .Values.secrets.databaseUrl | quote }}
{{- if .Values.secrets.databaseSessionUrl }}
DATABASE_SESSION_URL: {{ .Values.secrets.databaseSessionUrl | quote }}
{{- end }}
REDIS_URL: {{ .Values.secrets.redisUrl | quote }}
{{- if .Values.secrets.smtpUrl }}
SMTP_URL: {{ .Values.secrets.smtpUrl | quote }}
{{- end }}
{{- range $name, $value := .Values.secrets.extra }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/*
Volumes shared by the web pods and the migration Job: /tmp and the extras.
*/}}
{{- define "portail.volumes" -}}
- name: tmp
  emptyDir:
    {{- if .Values.tmpVolume.medium }}
    medium: {{ .Values.tmpVolume.medium }}
    {{- end }}
    {{- if .Values.tmpVolume.sizeLimit }}
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
    {{- end }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Volume mounts shared by every container of the chart.
*/}}
{{- define "portail.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Checks of value combinations the JSON schema cannot express.
*/}}
{{- define "portail.validate" -}}
{{- $needed := add (int .Values.preStopSleepSeconds) (int .Values.config.shutdownGraceSeconds) }}
{{- if le (int .Values.terminationGracePeriodSeconds) $needed }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be greater than preStopSleepSeconds + config.shutdownGraceSeconds (%d), or Kubernetes kills in-flight requests" (int .Values.terminationGracePeriodSeconds) $needed) }}
{{- end }}
{{- if and (not .Values.existingSecret) (or (not .Values.secrets.databaseUrl) (not .Values.secrets.redisUrl)) }}
{{- fail "set secrets.databaseUrl and secrets.redisUrl, or existingSecret" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) }}
{{- fail "autoscaling.maxReplicas must be at least autoscaling.minReplicas" }}
{{- end }}
{{- if and .Values.pdb.create (kindIs "invalid" .Values.pdb.minAvailable) (kindIs "invalid" .Values.pdb.maxUnavailable) }}
{{- fail "pdb.create needs pdb.minAvailable or pdb.maxUnavailable" }}
{{- end }}
{{- end }}

{{/*
One NetworkPolicy egress rule from {ports, cidrs, peers}. Call with
(dict "rule" $rule "protocols" (list "TCP")). Renders nothing without ports;
with neither CIDRs nor peers the ports are open to any destination.
*/}}
{{- define "portail.networkPolicy.egressRule" -}}
{{- $rule := .rule }}
{{- if $rule.ports -}}
- ports:
    {{- range $port := $rule.ports }}
    {{- range $protocol := $.protocols }}
    - port: {{ $port }}
      protocol: {{ $protocol }}
    {{- end }}
    {{- end }}
  {{- if or $rule.cidrs $rule.peers }}
  to:
    {{- range $rule.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
    {{- with $rule.peers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end }}
