# Creates a guardian's password through the real first-connection flow of a running portail
# whose mails go to a folder (no SMTP_URL): ask for the link, read it from the .eml, confirm.
#   create_account BASE_URL SLUG EMAIL PASSWORD MAIL_DIR
create_account() {
  local base="$1" slug="$2" email="$3" password="$4" mail_dir="$5"
  local api="$base/$slug/api/v1"
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$api/auth/login")
  [ "$status" = "200" ] && return 0
  mkdir -p "$mail_dir"
  local marker
  marker=$(mktemp)
  sleep 0.01
  curl -sf -o /dev/null -H 'content-type: application/json' -d "{\"email\":\"$email\"}" "$api/auth/password-reset"
  local token="" mail
  for _ in $(seq 100); do
    mail=$(find "$mail_dir" -name '*.eml' -newer "$marker" 2>/dev/null | head -n 1)
    if [ -n "$mail" ]; then
      token=$(python3 - "$mail" <<'PY'
import email, re, sys
message = email.message_from_binary_file(open(sys.argv[1], "rb"))
for part in message.walk():
    if part.get_content_type() == "text/plain":
        found = re.search(r"token=([A-Za-z0-9_-]{43})", part.get_payload(decode=True).decode())
        if found:
            print(found.group(1))
PY
)
      [ -n "$token" ] && break
    fi
    sleep 0.1
  done
  rm -f "$marker"
  [ -n "$token" ] || { echo "the first-connection mail to $email did not arrive in $mail_dir" >&2; return 1; }
  curl -sf -o /dev/null -H 'content-type: application/json' \
    -d "{\"token\":\"$token\",\"password\":\"$password\"}" "$api/auth/password-reset/confirm"
}

# Books meals for the children of a signed-in guardian on the school days of next week (the
# portal refuses the days it would refuse a parent: holidays, past deadlines), then bills the
# month of those days, so the demo has an invoice to open and pay.
#   demo_invoice BASE_URL SLUG EMAIL PASSWORD PORTAIL
demo_invoice() {
  local base="$1" slug="$2" email="$3" password="$4" portail="$5"
  local api="$base/$slug/api/v1" jar month=""
  jar=$(mktemp)
  curl -sf -o /dev/null -c "$jar" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$api/auth/login"
  local children
  children=$(curl -sf -b "$jar" "$api/children" | python3 -c 'import json,sys; print(" ".join(c["id"] for c in json.load(sys.stdin)["children"]))')
  local monday
  monday=$(date -d "next monday" +%F)
  for offset in 0 1 3 4; do
    local day
    day=$(date -d "$monday + $offset days" +%F)
    for child in $children; do
      curl -s -o /dev/null -b "$jar" -X PUT "$api/children/$child/reservations/repas/$day" && month="${day%-*}"
    done
  done
  rm -f "$jar"
  [ -n "$month" ] && "$portail" billing run "$slug" --month "$month" >/dev/null
}
