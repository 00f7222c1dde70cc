// Countersign: one school's (or one trust's) deployment in its own Azure subscription.
// Deploy with: az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.json
// Every app setting below is a variable of src/config/env.ts (tests/infra compares them).

targetScope = 'resourceGroup'

// Lower-case letters and digits only, starting with a letter: the storage account's name allows
// nothing else ("3 to 24 characters, numbers and lower-case letters only": Azure naming rules),
// and the web app's name becomes the domain Teams needs in lower case (tab-sso-register-aad).
// Bicep has no pattern decorator: infra/README.md, step 3, checks it before deploying.
@description('Short name for this deployment, used in resource names: 3 to 16 lower-case letters and digits, starting with a letter, e.g. "oakfield".')
@minLength(3)
@maxLength(16)
param name string

@description('Azure region for every resource. UK schools: uksouth (data stays in the UK).')
param location string = resourceGroup().location

@description('Entra ID tenant id of the school or trust.')
param tenantId string = subscription().tenantId

@description('Client id of the Countersign app registration (infra/entra-app-registration.json): the bot id and the API audience.')
param clientId string

@description('Client id of the tab\'s app registration (infra/entra-tab-registration.json): nested app authentication signs in as it.')
param tabClientId string

@description('The Teams app id written into the app package (any GUID, kept stable across versions).')
param teamsAppId string

@description('The SharePoint site that holds the Countersign lists: a site id, or hostname:/sites/path.')
param sharePointSite string

@description('The school as JSON (see .env.example, COUNTERSIGN_SCHOOL): audiences as Entra group ids, the approvers and admins.')
param schoolJson string

@description('App Service plan SKU. B1 serves a school; P0v3 with 2 instances suits a large trust.')
@allowed([ 'B1', 'B2', 'B3', 'S1', 'S2', 'S3', 'P0v3', 'P1v3', 'P2v3', 'P3v3' ])
param appServiceSku string = 'B1'

// "Basic, Standard, and Premium service plans scale out to as many as 3, 10, and 30 instances,
// respectively" ("Scale up an app in Azure App Service",
// learn.microsoft.com/azure/app-service/manage-scale-up). 30 is the highest of the SKUs allowed
// above; infra/README.md, step 3, checks the count against the chosen SKU before deploying.
@description('Number of App Service instances: at most 3 on B SKUs, 10 on S, 30 on P. More than 1 moves the work store to Azure Tables.')
@minValue(1)
@maxValue(30)
param instanceCount int = 1

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Days each checkpoint copy in the WORM container stays immutable (cannot be changed or deleted) from its creation. Default 7 years.')
@minValue(1)
param checkpointRetentionDays int = 2555

var suffix = uniqueString(resourceGroup().id, name)
var webAppName = 'countersign-${name}-${suffix}'
var publicUrl = 'https://${webAppName}.azurewebsites.net'
var scaledOut = instanceCount > 1

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-countersign-${name}'
  location: location
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-countersign-${name}'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: logRetentionDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-countersign-${name}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

// The IT lead's view of the service (infra/countersign-workbook.json): sign outcomes, Graph
// throttling and retries, request and Graph latency percentiles, campaign progress, event-loop
// lag and heap, failed requests with their request ids. Under the Application Insights resource,
// Workbooks.
resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, 'countersign-workbook', name)
  location: location
  kind: 'shared'
  properties: {
    displayName: 'Countersign (${name})'
    category: 'workbook'
    sourceId: insights.id
    serializedData: loadTextContent('countersign-workbook.json')
  }
}

// The work store when scaled out (deliveries, conversation references, leases), and the WORM
// container of checkpoint copies below.
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take('stcs${name}${suffix}', 24)
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

// Every signed checkpoint is also copied here, outside the SharePoint site, under a time-based
// retention (WORM) policy: while it holds, a blob can be created and read but neither changed nor
// deleted, by anyone, the account key included, and a container with a container-level WORM
// policy must be empty before it can be deleted
// (learn.microsoft.com/azure/storage/blobs/immutable-container-level-worm-policies).
// Container-level, not version-level: version-level WORM needs blob versioning on the account
// (learn.microsoft.com/azure/storage/blobs/immutable-version-level-worm-policies), and the service
// never overwrites a copy (each is created with If-None-Match: *), so versions would add nothing.
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource checkpointContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'countersign-checkpoints'
  properties: { publicAccess: 'None' }
}

// The resource type and its properties: learn.microsoft.com/azure/templates/microsoft.storage/2024-01-01/storageaccounts/blobservices/containers/immutabilitypolicies
// (name 'default'; immutabilityPeriodSinceCreationInDays; allowProtectedAppendWrites applies to
// append blobs, which the service does not write). The policy is created unlocked, so it can be
// tested; lock it once deployed (infra/README.md, step 3): an unlocked policy can still be
// deleted by whoever holds management rights on the account, a locked one cannot, and then
// allows only extending the period (learn.microsoft.com/rest/api/storagerp/blob-containers/lock-immutability-policy).
resource checkpointWorm 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = {
  parent: checkpointContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: checkpointRetentionDays
    allowProtectedAppendWrites: false
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('kv-cs-${name}-${suffix}', 24)
  location: location
  properties: {
    tenantId: tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    // Deleted, the vault (and the evidence key in it) stays recoverable for 90 days and purge
    // protection lets nobody purge it sooner ("Azure Key Vault soft-delete overview",
    // learn.microsoft.com/azure/key-vault/general/soft-delete-overview): the evidence key must not
    // vanish by mistake. The price is that its name, derived from the resource group and `name`,
    // stays taken meanwhile; infra/README.md ("Deploying again") says how to recover or rename.
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

// The client secret and the seal key are set by hand after deployment (infra/README.md, step 6),
// never in a template: redeploying must not overwrite them, so the template only references them.
resource storageConnection 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'storage-connection'
  properties: {
    value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
  }
}

// Key Vault Secrets User, for the app's managed identity only.
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, '4633458b-17de-408a-b874-0445c86b69e6')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The evidence signing key: EC P-256, so Key Vault signs ES256 with it and the private key never
// leaves the vault (learn.microsoft.com/azure/templates/microsoft.keyvault/vaults/keys: kty,
// curveName, keyOps). A redeployment does not rotate it: the resource "creates the first version
// of a new key if it does not exist … does not create subsequent versions" (the Keys
// createIfNotExist operation, learn.microsoft.com/javascript/api/@azure/arm-keyvault/keysoperations).
// Rotate by hand with a not-before ahead (infra/README.md, "Rotating the evidence key").
resource evidenceKey 'Microsoft.KeyVault/vaults/keys@2023-07-01' = {
  parent: vault
  name: 'evidence-signing'
  properties: {
    kty: 'EC'
    curveName: 'P-256'
    keyOps: [ 'sign', 'verify' ]
    attributes: { enabled: true }
  }
}

// Key Vault Crypto User (12338af0-0e69-4776-bea7-57ae8d297424), for the app's managed identity
// only: keys/read (list the key's versions and their public keys) and keys/sign/action, never
// the private key (learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-crypto-user).
resource cryptoUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, '12338af0-0e69-4776-bea7-57ae8d297424')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '12338af0-0e69-4776-bea7-57ae8d297424')
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: 'asp-countersign-${name}'
  location: location
  kind: 'linux'
  sku: { name: appServiceSku, capacity: instanceCount }
  properties: { reserved: true }
}

resource web 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      // The runtime must be one App Service offers on Linux: infra/README.md, step 3, checks it
      // with `az webapp list-runtimes --os linux` ("Configure a Node.js app for Azure App
      // Service", learn.microsoft.com/azure/app-service/configure-language-nodejs).
      linuxFxVersion: 'NODE|24-lts'
      appCommandLine: 'node src/server/main.ts'
      alwaysOn: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Readiness, not liveness: App Service pings this path on every instance each minute, takes
      // an instance that answers outside 200-299 (10 times by default) out of the load balancer
      // until it answers 2xx again, and replaces one unhealthy for an hour; a lone instance is
      // never taken out, nor more than half of them ("Monitor App Service instances by using
      // Health check", https://learn.microsoft.com/azure/app-service/monitor-instances-health-check).
      // /readyz is 503 while Graph, the site grant, the work store or the scheduled work fail.
      healthCheckPath: '/readyz'
      // PORT is set by App Service itself.
      appSettings: [
        { name: 'COUNTERSIGN_MODE', value: 'production' }
        { name: 'COUNTERSIGN_PUBLIC_URL', value: publicUrl }
        { name: 'COUNTERSIGN_TENANT_ID', value: tenantId }
        { name: 'COUNTERSIGN_CLIENT_ID', value: clientId }
        { name: 'COUNTERSIGN_TAB_CLIENT_ID', value: tabClientId }
        { name: 'COUNTERSIGN_CLIENT_SECRET', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=client-secret)' }
        { name: 'COUNTERSIGN_API_AUDIENCE', value: 'api://${webAppName}.azurewebsites.net/${clientId}' }
        { name: 'COUNTERSIGN_GRAPH_BASE_URL', value: 'https://graph.microsoft.com/v1.0' }
        { name: 'COUNTERSIGN_SITE', value: sharePointSite }
        { name: 'COUNTERSIGN_SEAL_KEY', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=seal-key)' }
        // Evidence is signed in Key Vault with the key above (versionless URI: every version is
        // published), reached with the user-assigned identity. The key-file settings stay empty.
        { name: 'COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL', value: evidenceKey.properties.keyUri }
        { name: 'COUNTERSIGN_MANAGED_IDENTITY_CLIENT_ID', value: identity.properties.clientId }
        { name: 'COUNTERSIGN_EVIDENCE_KEY_FILE', value: '' }
        { name: 'COUNTERSIGN_EVIDENCE_KEY_VALID_FROM', value: '' }
        { name: 'COUNTERSIGN_WORK_STORE', value: scaledOut ? 'azure-tables' : 'sqlite' }
        { name: 'COUNTERSIGN_WORK_DB', value: '/home/data/work.sqlite' }
        { name: 'COUNTERSIGN_STORAGE_CONNECTION', value: '@Microsoft.KeyVault(SecretUri=${storageConnection.properties.secretUri})' }
        // The WORM container above: the service copies every signed checkpoint there.
        { name: 'COUNTERSIGN_CHECKPOINT_CONTAINER', value: checkpointContainer.name }
        { name: 'COUNTERSIGN_SCHOOL', value: schoolJson }
        { name: 'COUNTERSIGN_TEAMS_APP_ID', value: teamsAppId }
        { name: 'COUNTERSIGN_TEAMS_TENANT_RPS', value: '50' }
        { name: 'COUNTERSIGN_MAX_IN_FLIGHT', value: '64' }
        { name: 'COUNTERSIGN_REQUEST_TIMEOUT_MS', value: '20000' }
        { name: 'COUNTERSIGN_GRAPH_TIMEOUT_MS', value: '10000' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'COUNTERSIGN_DEV_ALLOW_UNAUTHENTICATED_BOT', value: 'false' }
      ]
    }
  }
  dependsOn: [secretsUser, cryptoUser]
}

// Azure Bot: single tenant, Teams channel, messages to the service.
resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: 'bot-countersign-${name}'
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'F0' }
  properties: {
    displayName: 'Countersign'
    endpoint: '${publicUrl}/api/messages'
    msaAppId: clientId
    msaAppTenantId: tenantId
    msaAppType: 'SingleTenant'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

@description('Put in .env as COUNTERSIGN_PUBLIC_URL before npm run package.')
output publicUrl string = publicUrl
@description('The domain for the manifest (validDomains, NAA redirect brk-multihub://<domain>).')
output domain string = '${webAppName}.azurewebsites.net'
@description('The bot id for the manifest (the app registration client id).')
output botId string = bot.properties.msaAppId
@description('The Teams app id for the manifest.')
output teamsAppId string = teamsAppId
@description('The API audience; add it as the app registration Application ID URI.')
output apiAudience string = 'api://${webAppName}.azurewebsites.net/${clientId}'
@description('Key Vault name, for setting the client secret and seal key.')
output keyVaultName string = vault.name
@description('Web app name, for az webapp deploy.')
output webAppName string = web.name
