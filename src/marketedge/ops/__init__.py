"""Operations: health, metrics, audit, backups."""
