"""Renders infra/tenant.yaml for one tenant, offline: parameters, pseudo parameters, conditions
and the intrinsic functions the template uses are resolved the way CloudFormation would, with
made-up physical ids for resources that have no explicit name.

Used by the isolation tests (two tenants side by side) and to derive the part of the stack moto's
CloudFormation can create.
"""

import re
from pathlib import Path

from cfnlint.decode import cfn_yaml

TEMPLATE = Path(__file__).resolve().parent.parent / "tenant.yaml"
ACCOUNT = "111122223333"
REGION = "ap-southeast-1"

# The property that carries each resource type's name (where the template sets one).
NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Cognito::UserPool": "UserPoolName",
    "AWS::Cognito::UserPoolDomain": "Domain",
    "AWS::Cognito::UserPoolClient": "ClientName",
    "AWS::ApiGatewayV2::Api": "Name",
    "AWS::ApiGatewayV2::Authorizer": "Name",
    "AWS::CloudFront::Function": "Name",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::CloudWatch::Alarm": "AlarmName",
}
# Names nested one level deeper.
NESTED_NAME = {
    "AWS::CloudFront::OriginAccessControl": ("OriginAccessControlConfig", "Name"),
    "AWS::CloudFront::CachePolicy": ("CachePolicyConfig", "Name"),
}


def load():
    return cfn_yaml.load(str(TEMPLATE))


class Renderer:
    def __init__(self, template, params):
        self.t = template
        self.params = {}
        for name, spec in template["Parameters"].items():
            if name in params:
                self.params[name] = str(params[name])
            elif "Default" in spec:
                self.params[name] = str(spec["Default"])
            else:
                raise KeyError(f"parameter {name} is required")
            pattern = spec.get("AllowedPattern")
            if pattern and not re.fullmatch(pattern, self.params[name]):
                raise ValueError(f"{name}={self.params[name]!r} does not match {pattern}")
        self.pseudo = {
            "AWS::AccountId": ACCOUNT,
            "AWS::Region": REGION,
            "AWS::Partition": "aws",
            "AWS::StackName": f"hoadon-{self.params.get('TenantId', 'x')}",
            "AWS::URLSuffix": "amazonaws.com",
        }
        self.conditions = {
            name: self.value(expr) for name, expr in template.get("Conditions", {}).items()
        }

    # -- physical ids and attributes
    def physical(self, logical):
        res = self.t["Resources"][logical]
        props = res.get("Properties", {})
        name = NAME_PROPERTY.get(res["Type"])
        if name and name in props:
            return self.value(props[name])
        return f"{logical}-{self.pseudo['AWS::StackName']}-id"

    def attr(self, logical, attribute):
        res = self.t["Resources"][logical]
        pid = self.physical(logical)
        if res["Type"] == "AWS::SQS::Queue":
            # SQS ARNs have no resource type; QueueName is the name.
            if attribute == "Arn":
                return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{pid}"
            if attribute == "QueueName":
                return pid
        kind = res["Type"].split("::")[1].lower()
        if attribute == "Arn":
            return f"arn:aws:{kind}:{REGION}:{ACCOUNT}:{res['Type'].split('::')[2].lower()}/{pid}"
        return f"{pid}.{attribute}"

    def ref(self, name):
        if name in self.params:
            return self.params[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name == "AWS::NoValue":
            return None
        if self.t["Resources"][name]["Type"] == "AWS::SQS::Queue":
            # A queue's Ref is its URL.
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{self.physical(name)}"
        return self.physical(name)

    def sub(self, text, extra=None):
        def one(m):
            key = m.group(1)
            if extra and key in extra:
                return str(self.value(extra[key]))
            if "." in key and not key.startswith("AWS::"):
                logical, attribute = key.split(".", 1)
                return self.attr(logical, attribute)
            return str(self.ref(key))

        return re.sub(r"\$\{([^}!]+)\}", one, text)

    def value(self, v):
        if isinstance(v, dict):
            if len(v) == 1:
                (k, arg), = v.items()
                if k == "Ref":
                    return self.ref(arg)
                if k == "Fn::Sub":
                    return self.sub(arg) if isinstance(arg, str) else self.sub(arg[0], arg[1])
                if k == "Fn::GetAtt":
                    logical, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                    return self.attr(logical, attribute)
                if k == "Fn::If":
                    return self.value(arg[1] if self.conditions[arg[0]] else arg[2])
                if k == "Fn::Equals":
                    return self.value(arg[0]) == self.value(arg[1])
                if k == "Fn::Not":
                    return not self.value(arg[0])
                if k == "Fn::Join":
                    return arg[0].join(str(self.value(x)) for x in arg[1])
                if k == "Condition":
                    return self.conditions[arg]
            out = {}
            for key, x in v.items():
                r = self.value(x)
                if r is not None:
                    out[key] = r
            return out
        if isinstance(v, list):
            return [r for r in (self.value(x) for x in v) if r is not None]
        return v

    def resources(self):
        """Every resource whose condition holds, with its properties resolved."""
        out = {}
        for logical, res in self.t["Resources"].items():
            cond = res.get("Condition")
            if cond and not self.conditions[cond]:
                continue
            out[logical] = dict(res, Properties=self.value(res.get("Properties", {})))
        return out

    def names(self):
        """(logical id, type, name) of every named resource."""
        out = []
        for logical, res in self.resources().items():
            props = res["Properties"]
            if res["Type"] in NAME_PROPERTY and NAME_PROPERTY[res["Type"]] in props:
                out.append((logical, res["Type"], props[NAME_PROPERTY[res["Type"]]]))
            elif res["Type"] in NESTED_NAME:
                outer, inner = NESTED_NAME[res["Type"]]
                out.append((logical, res["Type"], props[outer][inner]))
        return out


def render(tenant, tax_id="0109998883", **params):
    base = {
        "TenantId": tenant,
        "SellerTaxId": tax_id,
        "ArtifactBucket": f"hoadon-{tenant}-artifacts-{ACCOUNT}",
        "ApiCodeKey": "api-0123abcd.zip",
        "SignerCodeKey": "signer-0123abcd.zip",
    }
    base.update(params)
    return Renderer(load(), base)
