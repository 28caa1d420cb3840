"""AWS implementations of the storage ports: S3 buckets for files, a DynamoDB table for job records."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from decimal import Decimal
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from ..errors import ImageTooLargeError
from .model import Job, JobStatus
from .ports import PresignedUpload, Stores
from .settings import Settings
from .sizes import megabytes


def s3_client(region: str | None = None) -> Any:
    """Virtual-hosted, SigV4 URLs on the regional endpoint: what a browser on another origin can use."""
    return boto3.client(
        "s3",
        region_name=region,
        config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"}),
    )


class S3ObjectStore:
    """One bucket. Presigned URLs are signed with the caller's (the Lambda role's) credentials."""

    def __init__(self, bucket: str, client: Any | None = None) -> None:
        self.bucket = bucket
        self.client = client or s3_client()

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedUpload:
        # boto3 adds the bucket and key conditions itself; the rest pin what may be sent.
        post = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )
        return PresignedUpload(url=post["url"], fields={k: str(v) for k, v in post["fields"].items()})

    def presign_download(self, key: str, expires_in: int, filename: str | None = None) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if filename:
            safe = filename.replace('"', "")
            params["ResponseContentDisposition"] = f'attachment; filename="{safe}"'
        url: str = self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
        return url

    def get_bytes(self, key: str, max_bytes: int | None = None) -> bytes:
        obj = self.client.get_object(Bucket=self.bucket, Key=key)
        if max_bytes is not None and obj["ContentLength"] > max_bytes:
            obj["Body"].close()
            raise ImageTooLargeError(f"the file is larger than {megabytes(max_bytes)} (the limit)")
        data: bytes = obj["Body"].read()
        return data

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def size(self, key: str) -> int | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        return int(head["ContentLength"])


def _to_dynamo(value: Any) -> Any:
    """Python → DynamoDB: floats become Decimals (exactly their repr), dataclasses become maps."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_dynamo(v) for v in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(v) for v in value]
    return value


# The job table's index of jobs by status and creation time (template.yaml); only ``client`` is projected.
STATUS_INDEX = "by-status"


class DynamoJobStore:
    """Job records keyed by ``job_id``; ``expires_at`` is the table's TTL attribute."""

    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self.table = (resource or boto3.resource("dynamodb")).Table(table_name)

    def create(self, job: Job) -> None:
        self.table.put_item(
            Item=_to_dynamo(job.to_item()), ConditionExpression="attribute_not_exists(job_id)"
        )

    def get(self, job_id: str) -> Job | None:
        item = self.table.get_item(Key={"job_id": job_id}, ConsistentRead=True).get("Item")
        return Job.from_item(_from_dynamo(item)) if item else None

    def transition(
        self,
        job_id: str,
        expected: tuple[JobStatus, ...],
        new: JobStatus,
        *,
        if_updated_at: float | None = None,
        **changes: Any,
    ) -> Job | None:
        if not expected:
            raise ValueError("expected must name at least one status")
        names = {"#status": "status"}
        values: dict[str, Any] = {":new": new}
        sets = ["#status = :new"]
        for i, (field, value) in enumerate(changes.items()):
            names[f"#f{i}"] = field
            values[f":v{i}"] = _to_dynamo(value)
            sets.append(f"#f{i} = :v{i}")
        allowed = []
        for i, status in enumerate(expected):
            values[f":e{i}"] = status
            allowed.append(f":e{i}")
        condition = f"#status IN ({', '.join(allowed)})"
        if if_updated_at is not None:
            names["#updated_at"] = "updated_at"
            values[":lock"] = _to_dynamo(float(if_updated_at))
            condition += " AND #updated_at = :lock"
        try:
            reply = self.table.update_item(
                Key={"job_id": job_id},
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression=f"attribute_exists(job_id) AND {condition}",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return None
            raise
        return Job.from_item(_from_dynamo(reply["Attributes"]))

    def pending_upload_clients(self, since: float) -> list[str]:
        """One query on the ``by-status`` index (status, created_at; projects ``client``): the jobs awaiting
        an upload whose form may still be open. It reads at most ``Settings.max_pending_uploads`` small items,
        since creation stops there."""
        clients: list[str] = []
        kwargs: dict[str, Any] = {
            "IndexName": STATUS_INDEX,
            "KeyConditionExpression": "#status = :pending AND created_at >= :since",
            "ExpressionAttributeNames": {"#status": "status", "#client": "client"},
            "ExpressionAttributeValues": {":pending": "awaiting_upload", ":since": _to_dynamo(float(since))},
            "ProjectionExpression": "#client",
        }
        while True:
            page = self.table.query(**kwargs)
            clients += [str(item.get("client") or "") for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return clients
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def stores_from_settings(settings: Settings) -> Stores:
    """The ``aws`` backend: the two buckets (one S3 client) and the job table that template.yaml names."""
    client = s3_client(settings.region)
    return Stores(
        uploads=S3ObjectStore(settings.uploads_bucket, client),
        results=S3ObjectStore(settings.results_bucket, client),
        jobs=DynamoJobStore(settings.jobs_table),
    )
