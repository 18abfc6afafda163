/**
 * Who may call the timer API: the authorization of every method of a `ServerlessTimer`'s REST API.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';

/** How API Gateway authorizes calls to the `/periodic/{id}` and `/oneshot/{id}` routes. */
export class ApiAuthorization {
  /**
   * AWS IAM (SigV4-signed requests): a caller needs `execute-api:Invoke` on the routes, which the timer's grant of
   * timer management gives.
   */
  public static iam(): ApiAuthorization {
    return new ApiAuthorization(apigw.AuthorizationType.IAM);
  }

  /**
   * A Lambda (token or request) or Cognito user pool authorizer.
   *
   * @param authorizer the authorizer of every method
   */
  public static fromAuthorizer(authorizer: apigw.IAuthorizer): ApiAuthorization {
    return new ApiAuthorization(authorizer.authorizationType ?? apigw.AuthorizationType.CUSTOM, authorizer);
  }

  /**
   * No authorization: anyone who knows the URL may create timers that call your callback.
   * Only for an API that is otherwise closed, e.g. by a resource policy.
   */
  public static none(): ApiAuthorization {
    return new ApiAuthorization(apigw.AuthorizationType.NONE);
  }

  private constructor(
    /** The authorization type of every method. */
    public readonly authorizationType: apigw.AuthorizationType,
    /** The authorizer of every method, when one was given; undefined for IAM and no authorization. */
    public readonly authorizer?: apigw.IAuthorizer,
  ) {}
}
