#!/bin/sh
# Makes MinIO ready for Atelier, with its root credentials (which nothing else
# is given): the bucket, and a user whose policy reaches that bucket alone,
# for the coordinators. Safe to run again. Run by the dev overlay's
# atelier-minio-setup Job and by deploy/docker-compose.yml's minio-setup.
# Needs MINIO_URL, MINIO_ROOT_USER, MINIO_ROOT_PASSWORD, S3_BUCKET,
# S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY.
set -eu
export MC_CONFIG_DIR=/tmp/mc
until mc alias set farm "$MINIO_URL" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null; do
  echo "waiting for MinIO at $MINIO_URL" >&2
  sleep 2
done
mc mb --ignore-existing "farm/$S3_BUCKET"
cat > /tmp/atelier-bucket-policy.json <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket"], "Resource": ["arn:aws:s3:::$S3_BUCKET"] },
    { "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": ["arn:aws:s3:::$S3_BUCKET/*"] }
  ]
}
POLICY
mc admin policy create farm atelier-bucket /tmp/atelier-bucket-policy.json
mc admin user add farm "$S3_ACCESS_KEY_ID" "$S3_SECRET_ACCESS_KEY"
if ! mc admin user info farm "$S3_ACCESS_KEY_ID" | grep -q atelier-bucket; then
  mc admin policy attach farm atelier-bucket --user "$S3_ACCESS_KEY_ID"
fi
echo "bucket $S3_BUCKET and its user $S3_ACCESS_KEY_ID are ready"
