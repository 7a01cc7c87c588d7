#!/usr/bin/env bash
# Daily backup of the OCOP database: one custom-format dump (compressed, restorable table by
# table, in parallel), written under a temporary name and renamed when complete, with its
# SHA-256 beside it; dumps older than KEEP_DAYS are removed. libpq variables choose the
# server (PGHOST, PGPORT, PGUSER, PGDATABASE). Copy BACKUP_DIR off the machine as well
# (rsync/rclone to another province's server or object storage): a backup on the same
# disk as the database is not a backup.
set -euo pipefail
BACKUP_DIR=${BACKUP_DIR:-/var/backups/ocop}
KEEP_DAYS=${KEEP_DAYS:-14}
DB=${PGDATABASE:-ocop}
mkdir -p "$BACKUP_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$BACKUP_DIR/$DB-$stamp.dump"
pg_dump --format=custom --compress=6 --no-owner --file="$target.partial" "$DB"
mv "$target.partial" "$target"
(cd "$BACKUP_DIR" && sha256sum "$(basename "$target")" > "$(basename "$target").sha256")
find "$BACKUP_DIR" -name "$DB-*.dump*" -mtime +"$KEEP_DAYS" -delete
echo "backup $target $(du -h "$target" | cut -f1)"
