#!/usr/bin/env bash
# Restore drill: the newest dump of PGDATABASE is checked (SHA-256), restored into a scratch
# database, and compared with the live one — same migration head, every table restored,
# row counts of the tables that matter printed side by side (the live side may have grown
# since the dump). The scratch database is dropped at the end (KEEP=1 keeps it).
# Exit status non-zero when anything does not match: run it weekly from a timer and alert.
set -euo pipefail
BACKUP_DIR=${BACKUP_DIR:-/var/backups/ocop}
DB=${PGDATABASE:-ocop}
SCRATCH=${SCRATCH:-${DB}_restore_drill}
dump=$(ls -1t "$BACKUP_DIR/$DB"-*.dump | head -n1)
echo "drill: $dump"
(cd "$BACKUP_DIR" && sha256sum --check --quiet "$(basename "$dump").sha256")
dropdb --if-exists --force "$SCRATCH"
createdb "$SCRATCH"
started=$(date +%s)
pg_restore --exit-on-error --no-owner --jobs=2 --dbname="$SCRATCH" "$dump"
echo "restored in $(( $(date +%s) - started )) s"

q() { psql -X -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
live_head=$(q "$DB" "SELECT version_num FROM alembic_version")
restored_head=$(q "$SCRATCH" "SELECT version_num FROM alembic_version")
[ "$live_head" = "$restored_head" ] || { echo "migration head differs: live $live_head, restored $restored_head"; exit 1; }
echo "migration head $restored_head"
tables_sql="SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND n.nspname IN ('public','scan_partitions')"
[ "$(q "$DB" "$tables_sql")" = "$(q "$SCRATCH" "$tables_sql")" ] || { echo "table count differs"; exit 1; }
printf '%-20s %10s %10s\n' table restored live
status=0
for t in producers products certificates orders order_lines stock_movements stock_levels stamps scans users; do
  r=$(q "$SCRATCH" "SELECT count(*) FROM $t"); l=$(q "$DB" "SELECT count(*) FROM $t")
  printf '%-20s %10s %10s\n' "$t" "$r" "$l"
  [ "$r" -le "$l" ] || status=1
done
# The ledger is whole: every stock level equals the sum of its movements.
bad=$(q "$SCRATCH" "SELECT count(*) FROM stock_levels l WHERE l.on_hand <> COALESCE((SELECT sum(m.quantity) FROM stock_movements m WHERE m.location_id = l.location_id AND m.product_id = l.product_id), 0)")
echo "stock levels not equal to their ledger: $bad"
[ "$bad" = 0 ] || status=1
[ "${KEEP:-0}" = 1 ] || dropdb --force "$SCRATCH"
[ $status = 0 ] && echo "restore drill OK" || echo "restore drill FAILED"
exit $status
