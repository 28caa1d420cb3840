#!/usr/bin/env bash
# One-time AWS bootstrap of img2xlsx stages, run by an operator with admin credentials on a laptop or CloudShell:
#   deploy/bootstrap.sh --repo OWNER/NAME --region eu-central-1 [--stage dev|prod|all]
# Per stage it deploys deploy/bootstrap.yaml as stack img2xlsx-bootstrap-<stage> (GitHub OIDC provider once per
# account, ECR repository, artifacts bucket, CloudFormation execution role, GitHub deploy role), writes the
# account-specific values into samconfig.toml, and prints the GitHub Environment variables to set.
# Re-running is safe: CloudFormation only applies differences.
set -euo pipefail
cd "$(dirname "$0")/.."

repo="" region="${AWS_REGION:-}" stages="all" app="img2xlsx"
convert_function="${CONVERT_FUNCTION_ID:-ConvertFunction}" # the image function's logical ID in template.yaml

usage() { sed -n '2,3p' "$0" | sed 's/^# //'; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --repo) repo="$2"; shift 2 ;;
    --region) region="$2"; shift 2 ;;
    --stage) stages="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "bootstrap: unknown argument $1" >&2; usage ;;
  esac
done
if [ -z "$repo" ] || [ -z "$region" ]; then usage; fi
case "$stages" in all) stages="dev prod" ;; dev|prod) ;; *) echo "bootstrap: --stage is dev, prod or all" >&2; exit 2 ;; esac
command -v aws >/dev/null || { echo "bootstrap: the AWS CLI v2 is required" >&2; exit 1; }

account=$(aws sts get-caller-identity --query Account --output text)
echo "bootstrap: account $account, region $region, repository $repo"

oidc_provider_for() {
  # Empty: this stack creates (or already owns) the provider. Otherwise: reuse the account's provider.
  local stack="$1" existing
  if aws cloudformation describe-stack-resource --region "$region" --stack-name "$stack" \
      --logical-resource-id GitHubOidcProvider >/dev/null 2>&1; then
    echo ""; return
  fi
  existing=$(aws iam list-open-id-connect-providers --output text \
    --query "OpenIDConnectProviderList[?ends_with(Arn, '/token.actions.githubusercontent.com')].Arn | [0]")
  [ "$existing" = "None" ] && existing=""
  echo "$existing"
}

output() { # stack, output key
  aws cloudformation describe-stacks --region "$region" --stack-name "$1" --output text \
    --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue | [0]"
}

for stage in $stages; do
  stack="$app-bootstrap-$stage"
  provider=$(oidc_provider_for "$stack")
  echo "bootstrap: deploying $stack (OIDC provider: ${provider:-created by this stack})"
  aws cloudformation deploy --region "$region" --stack-name "$stack" \
    --template-file deploy/bootstrap.yaml --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset \
    --parameter-overrides "Stage=$stage" "GitHubRepository=$repo" "ExistingOidcProviderArn=$provider" "AppName=$app"

  deploy_role=$(output "$stack" DeployRoleArn)
  python3 deploy/stack_info.py configure "$stage" \
    "region=$region" \
    "s3_bucket=$(output "$stack" ArtifactsBucketName)" \
    "role_arn=$(output "$stack" CloudFormationExecutionRoleArn)" \
    "image_repositories=[\"$convert_function=$(output "$stack" ImageRepositoryUri)\"]"
  echo "bootstrap: samconfig.toml [$stage] now deploys to account $account"
  cat <<EOF

GitHub -> Settings -> Environments -> "$stage" -> Variables (or with the GitHub CLI):
  gh variable set AWS_DEPLOY_ROLE_ARN --env $stage --repo $repo --body '$deploy_role'
  gh variable set AWS_REGION --env $stage --repo $repo --body '$region'

EOF
done
echo "bootstrap: done. Commit samconfig.toml (it holds no secrets: account id, bucket, repository and role names)."
