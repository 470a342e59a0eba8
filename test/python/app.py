"""Python smoke app for the ecs-service-kit wheel (scripts/compat.sh runs it in a fresh venv).

Synthesizes the README's smallest service from Python with DeployChecks and aws-cdk-lib's strict
built-in validation, checks the template with aws_cdk.assertions, and checks that DeployChecks
reports from Python (an app with a log group that never expires must get ESK-LOG1).

Usage: python test/python/app.py OUTDIR   (exit 0 when every check passes)
"""
import json
import os
import sys
from importlib import metadata

import aws_cdk as cdk
from aws_cdk import assertions, aws_ec2 as ec2, aws_ecs as ecs, aws_logs as logs
from ecs_service_kit import (
    ContainerWebApp, DeployChecks, DeploymentOptions, DeploymentStrategy, ServiceCluster, ServiceImage,
    ServiceLoadBalancer, TargetHealthCheck, WebService,
)

STRICT_VALIDATION = {
    "@aws-cdk/core:validateAgainstDefaultRules": True,
    "@aws-cdk/core:strictCfnValidateErrors": True,
}
Match = assertions.Match


def build_web_app(outdir: str) -> cdk.Stack:
    """The README's smallest service, as a Python user writes it."""
    app = cdk.App(outdir=outdir, context=STRICT_VALIDATION)
    cdk.Validations.of(app).add_plugins(DeployChecks())
    stack = cdk.Stack(app, "PythonSmoke", env=cdk.Environment(account="123456789012", region="us-east-1"))
    web = ContainerWebApp(
        stack,
        "Web",
        image=ServiceImage.from_registry("public.ecr.aws/nginx/nginx:1.27"),
        cpu=256,
        memory_mib=512,
        health_check=TargetHealthCheck(path="/health"),
    )
    # acknowledge() is variadic in TypeScript, so Python passes Acknowledgment structs, not keywords.
    cdk.Validations.of(web.load_balancer).acknowledge(cdk.Acknowledgment(
        id="Annotation::ecs-service-kit:http-only",
        reason="The smoke app has no domain, so no certificate.",
    ))
    app.synth()
    return stack


def check_web_app(stack: cdk.Stack, outdir: str) -> None:
    t = assertions.Template.from_stack(stack)
    t.resource_count_is("AWS::ECS::Service", 1)
    t.has_resource_properties("AWS::ECS::Service", {
        "LaunchType": "FARGATE",
        "DeploymentConfiguration": Match.object_like({
            "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
            "MinimumHealthyPercent": 100,
            "MaximumPercent": 200,
        }),
        "NetworkConfiguration": {"AwsvpcConfiguration": Match.object_like({"AssignPublicIp": "DISABLED"})},
    })
    t.has_resource_properties("AWS::ECS::TaskDefinition", {
        "Cpu": "256",
        "Memory": "512",
        "RequiresCompatibilities": ["FARGATE"],
        "ContainerDefinitions": [Match.object_like({"Image": "public.ecr.aws/nginx/nginx:1.27"})],
    })
    t.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", 1)
    for attribute in ("access_logs.s3.enabled", "routing.http.drop_invalid_header_fields.enabled"):
        t.has_resource_properties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
            "Scheme": "internet-facing",
            "LoadBalancerAttributes": Match.array_with([{"Key": attribute, "Value": "true"}]),
        })
    t.has_resource_properties("AWS::ElasticLoadBalancingV2::TargetGroup", {
        "HealthCheckPath": "/health",
        "TargetType": "ip",
    })
    t.has_resource_properties("AWS::S3::BucketPolicy", {})  # the access-log bucket's delivery policy
    t.resource_count_is("AWS::EC2::NatGateway", 1)  # NetworkLayout.SINGLE_NAT, never one per AZ
    for log_group in t.find_resources("AWS::Logs::LogGroup").values():
        assert "RetentionInDays" in log_group["Properties"], f"log group without retention: {log_group}"
    # aws-cdk-lib's strict built-in validation ran and found nothing (a missing report would mean it never ran).
    report = read_report(outdir)
    findings = [v for p in report.get("pluginReports", []) for v in p.get("violations", [])]
    assert not findings, f"validation findings on the smoke app: {json.dumps(findings)[:2000]}"


def check_existing_platform(outdir: str) -> None:
    """A canary service on a cluster and an ALB listener this library did not create (issue 10's
    imports, issue 9's strategies), as a Python user writes it, read through the stutter-free names."""
    app = cdk.App(outdir=outdir, context=STRICT_VALIDATION)
    cdk.Validations.of(app).add_plugins(DeployChecks())
    stack = cdk.Stack(app, "PythonPlatform", env=cdk.Environment(account="123456789012", region="eu-west-1"))
    vpc = ec2.Vpc.from_vpc_attributes(
        stack, "Vpc", vpc_id="vpc-0a1b2c3d4e5f60718", availability_zones=["eu-west-1a", "eu-west-1b"],
        private_subnet_ids=["subnet-0bb0000000000002a", "subnet-0bb0000000000002b"],
        private_subnet_route_table_ids=["rtb-0dd0000000000004a", "rtb-0dd0000000000004b"],
    )
    cluster = ServiceCluster.from_cluster_attributes(stack, "Cluster", cluster_name="platform-shared", vpc=vpc)
    load_balancer = ServiceLoadBalancer.from_listener_attributes(
        stack, "LoadBalancer",
        listener_arn="arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/platform/50dc6c495c0c9188/f2f7dc8efc522ab2",
        security_group=ec2.SecurityGroup.from_security_group_id(stack, "AlbSg", "sg-0123456789abcdef0"),
        vpc=vpc,
        url="https://shop.example.com",
    )
    web = WebService(
        stack, "Orders", cluster=cluster, load_balancer=load_balancer,
        image=ServiceImage.from_registry("public.ecr.aws/nginx/nginx:1.27"),
        path_patterns=["/orders/*"],
        deployment=DeploymentOptions(strategy=DeploymentStrategy.canary()),
    )
    app.synth()
    assert cluster.cluster_name == "platform-shared", cluster.cluster_name
    assert web.ecs_service is not None and web.service_name is not None and len(web.deployment_alarms) == 1
    t = assertions.Template.from_stack(stack)
    t.resource_count_is("AWS::ECS::Cluster", 0)
    t.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", 0)
    t.has_resource_properties("AWS::ECS::Service", {
        "Cluster": "platform-shared",
        "DeploymentConfiguration": Match.object_like({
            "Strategy": "CANARY",
            "Alarms": Match.object_like({"Enable": True, "Rollback": True}),
        }),
    })
    t.has_resource_properties("AWS::ElasticLoadBalancingV2::ListenerRule", {
        "ListenerArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/platform/50dc6c495c0c9188/f2f7dc8efc522ab2",
    })


def read_report(outdir: str) -> dict:
    path = os.path.join(outdir, "validation-report.json")
    assert os.path.exists(path), f"no {path}: the validation plugins did not run"
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_plugins_report(outdir: str) -> None:
    """Positive controls: a clean report above means something only if the plugins run from Python.

    DeployChecks, created in Python and run by aws-cdk-lib, must name a log group that never expires
    (ESK-LOG1), and aws-cdk-lib's built-in validation must name a Fargate size that does not exist.
    """
    app = cdk.App(outdir=outdir, context=STRICT_VALIDATION)
    cdk.Validations.of(app).add_plugins(DeployChecks())
    stack = cdk.Stack(app, "Controls")
    logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.INFINITE, removal_policy=cdk.RemovalPolicy.DESTROY)
    ecs.CfnTaskDefinition(stack, "NotAFargateSize", cpu="256", memory="4096", requires_compatibilities=["FARGATE"],
                          network_mode="awsvpc",
                          container_definitions=[ecs.CfnTaskDefinition.ContainerDefinitionProperty(name="app", image="nginx")])
    try:
        app.synth()
        failed = False
    except Exception:  # strict validation fails synth on the findings; the report is what counts
        failed = True
    report = read_report(outdir)
    by_plugin = {p["pluginName"]: [v["ruleName"] for v in p.get("violations", [])] for p in report.get("pluginReports", [])}
    assert "ESK-LOG1" in by_plugin.get(DeployChecks.PLUGIN_NAME, []), f"DeployChecks did not report ESK-LOG1 from Python: {by_plugin}"
    builtin = [rule for name, rules in by_plugin.items() if name != DeployChecks.PLUGIN_NAME for rule in rules]
    assert builtin, f"the built-in validation reported nothing on a 256 CPU / 4096 MiB Fargate task: {by_plugin}"
    assert failed, "strict validation did not fail synth on its findings"
    print(f"python smoke: controls reported {by_plugin}")


def main() -> int:
    outdir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "cdk.out/python")
    stack = build_web_app(os.path.join(outdir, "web-app"))
    check_web_app(stack, os.path.join(outdir, "web-app"))
    check_existing_platform(os.path.join(outdir, "existing-platform"))
    check_plugins_report(os.path.join(outdir, "controls"))
    versions = ", ".join(f"{d} {metadata.version(d)}" for d in ("ecs-service-kit", "aws-cdk-lib", "constructs", "jsii"))
    print(f"python smoke: ok on {versions} (Python {sys.version.split()[0]}): ContainerWebApp synthesized "
          "under strict validation, a canary service on an existing cluster and listener, template checks passed, "
          "both controls reported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
