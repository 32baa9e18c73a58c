"""Checked names for the ontology's terms.

Generated from ``ontology/bmkg.ttl``; ``tests/test_ontology.py`` checks that the two agree. Because
``_fail`` is set, a misspelt term is an error where it is used (``BM.CustomerSegmnt`` raises
``AttributeError``) instead of a query that silently finds nothing.

>>> from kg.vocab import BM
>>> BM.CustomerSegment
rdflib.term.URIRef('https://w3id.org/bmkg/ontology#CustomerSegment')
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["BM", "BMSH", "BMV", "STANDARD_PREFIXES"]


class BM(DefinedNamespace):
    """The Business Model Knowledge Graph ontology, prefix ``bm:``."""

    _fail = True
    _NS = Namespace("https://w3id.org/bmkg/ontology#")

    # Classes
    Application: URIRef  # Application
    Benefit: URIRef  # Benefit
    BrandPromise: URIRef  # Brand promise
    BusinessProcess: URIRef  # Business process
    Capability: URIRef  # Capability
    Channel: URIRef  # Channel
    CostItem: URIRef  # Cost item
    CustomerJourney: URIRef  # Customer journey
    CustomerNeed: URIRef  # Customer need
    CustomerRelationship: URIRef  # Customer relationship
    CustomerSegment: URIRef  # Customer segment
    DataStore: URIRef  # Data store
    Enterprise: URIRef  # Enterprise
    ExchangeRate: URIRef  # Exchange rate
    Evidence: URIRef  # Voice-of-customer evidence
    Gain: URIRef  # Customer gain
    Geography: URIRef  # Geography
    Goal: URIRef  # Goal
    Job: URIRef  # Customer job
    JourneyStage: URIRef  # Journey stage
    KeyActivity: URIRef  # Key activity
    KeyPartner: URIRef  # Key partner
    KeyResource: URIRef  # Key resource
    KeyRiskIndicator: URIRef  # Key risk indicator
    Locale: URIRef  # Locale
    Metric: URIRef  # Metric
    Offering: URIRef  # Product or service
    OrganisationalUnit: URIRef  # Organisational unit
    Pain: URIRef  # Customer pain
    Persona: URIRef  # Persona
    Product: URIRef  # Product
    RevenueStream: URIRef  # Revenue stream
    Risk: URIRef  # Risk
    Service: URIRef  # Service
    Touchpoint: URIRef  # Journey step / touchpoint
    ValueProposition: URIRef  # Value proposition
    ValueStream: URIRef  # Value stream
    ValueStreamStage: URIRef  # Value stream stage
    Initiative: URIRef  # Initiative
    Plateau: URIRef  # Plateau
    BusinessActor: URIRef  # Business actor
    BusinessRole: URIRef  # Business role
    Stakeholder: URIRef  # Stakeholder
    PainReliever: URIRef  # Pain reliever
    GainCreator: URIRef  # Gain creator
    Contract: URIRef  # Contract
    ServiceLevelAgreement: URIRef  # Service level agreement
    BusinessService: URIRef  # Business service
    ApplicationService: URIRef  # Application service
    BusinessInterface: URIRef  # Business interface
    ApplicationInterface: URIRef  # Application interface
    Driver: URIRef  # Driver
    Assessment: URIRef  # Assessment
    Requirement: URIRef  # Requirement
    Principle: URIRef  # Principle
    BusinessModel: URIRef  # Business model

    # Annotation properties
    sharedAcrossEnterprises: URIRef  # shared across enterprises

    # Object properties
    addressesNeed: URIRef  # addresses need
    allocatedTo: URIRef  # allocated to
    alternativePartner: URIRef  # alternative partner
    availability: URIRef  # availability
    benefitOf: URIRef  # benefit of
    channelKind: URIRef  # channel kind
    conveysBrandPromise: URIRef  # conveys brand promise
    costType: URIRef  # cost type
    coversPhase: URIRef  # covers phase
    criticality: URIRef  # criticality
    deliversValueProposition: URIRef  # delivers value proposition
    distributes: URIRef  # distributes
    evidenceFor: URIRef  # evidence for
    evidenceKind: URIRef  # evidence kind
    expressesBrandPromise: URIRef  # expresses brand promise
    forPersona: URIRef  # for persona
    forValueProposition: URIRef  # for value proposition
    fromSegment: URIRef  # from segment
    goalFor: URIRef  # goal for
    hasFunction: URIRef  # has function
    hasIndicator: URIRef  # has indicator
    hasNeed: URIRef  # has need
    hasStage: URIRef  # has stage
    holdsCustomerData: URIRef  # holds customer data
    inChannel: URIRef  # in channel
    inStage: URIRef  # in stage
    incurredBy: URIRef  # incurred by
    integratesWith: URIRef  # integrates with
    involvesUnit: URIRef  # involves unit
    keepsCustomerDataIn: URIRef  # keeps customer data in
    lifecycleStatus: URIRef  # lifecycle status
    locatedIn: URIRef  # located in
    measures: URIRef  # measures
    metricCategory: URIRef  # metric category
    needsLocale: URIRef  # needs locale
    ownedBy: URIRef  # owned by
    performsActivity: URIRef  # performs activity
    perspective: URIRef  # perspective
    prefersChannel: URIRef  # prefers channel
    pricingMechanism: URIRef  # pricing mechanism
    reachesSegment: URIRef  # reaches segment
    realisesCapability: URIRef  # realises capability
    relationshipKind: URIRef  # relationship kind
    representsSegment: URIRef  # represents segment
    requiresActivity: URIRef  # requires activity
    requiresCapability: URIRef  # requires capability
    requiresResource: URIRef  # requires resource
    resourceKind: URIRef  # resource kind
    servesGeography: URIRef  # serves geography
    servesLocale: URIRef  # serves locale
    servesSegment: URIRef  # serves segment
    stageKind: URIRef  # stage kind
    suppliesResource: URIRef  # supplies resource
    supportedByApplication: URIRef  # supported by application
    supportedByCapability: URIRef  # supported by capability
    supportedByProcess: URIRef  # supported by process
    synchronisedWith: URIRef  # synchronised with
    targetsSegment: URIRef  # targets segment
    belongsTo: URIRef  # belongs to
    threatens: URIRef  # threatens
    throughChannel: URIRef  # through channel
    usesApplication: URIRef  # uses application
    usesDataStore: URIRef  # uses data store
    withSegment: URIRef  # with segment
    hasValueStreamStage: URIRef  # has value stream stage
    valueStreamFor: URIRef  # value stream for
    enabledByCapability: URIRef  # enabled by capability
    changesElement: URIRef  # changes element
    leadsToPlateau: URIRef  # leads to plateau
    playsRole: URIRef  # plays role
    actorInUnit: URIRef  # actor in unit
    performsProcess: URIRef  # performs process
    hasConcern: URIRef  # has concern
    relievesPain: URIRef  # relieves pain
    createsGain: URIRef  # creates gain
    partOfValueProposition: URIRef  # part of value proposition
    contractWith: URIRef  # contract with
    setsTargetFor: URIRef  # sets target for
    realisedByProcess: URIRef  # realised by process
    providedByApplication: URIRef  # provided by application
    usedByProcess: URIRef  # used by process
    exposesService: URIRef  # exposes service
    interfaceOfChannel: URIRef  # interface of channel
    interfaceOfApplication: URIRef  # interface of application
    motivatesGoal: URIRef  # motivates goal
    assessesDriver: URIRef  # assesses driver
    realisesGoal: URIRef  # realises goal
    appliesTo: URIRef  # applies to
    businessModelOf: URIRef  # business model of
    modelState: URIRef  # model state
    atPlateau: URIRef  # at plateau
    metricType: URIRef  # metric type

    # Datatype properties
    actualValue: URIRef  # actual value
    amount: URIRef  # amount
    asOfDate: URIRef  # as-of date
    currency: URIRef  # currency
    currentMaturity: URIRef  # current maturity
    customerAction: URIRef  # customer action
    customerCount: URIRef  # customer count
    emotion: URIRef  # emotion
    fromCurrency: URIRef  # from currency
    growthRate: URIRef  # growth rate
    higherIsBetter: URIRef  # higher is better
    impact: URIRef  # impact
    importance: URIRef  # importance
    isMasterCustomerRecord: URIRef  # is master customer record
    languageTag: URIRef  # language tag
    likelihood: URIRef  # likelihood
    personaGoal: URIRef  # persona goal
    petPeeve: URIRef  # pet peeve
    plannedValue: URIRef  # planned value
    rate: URIRef  # rate
    rateDate: URIRef  # rate date
    reportingCurrency: URIRef  # reporting currency
    sampleSize: URIRef  # sample size
    satisfaction: URIRef  # satisfaction
    segmentSize: URIRef  # segment size
    sequence: URIRef  # sequence
    targetDate: URIRef  # target date
    targetGrowthRate: URIRef  # target growth rate
    targetMaturity: URIRef  # target maturity
    targetRevenue: URIRef  # target revenue
    targetValue: URIRef  # target value
    toCurrency: URIRef  # to currency
    unitOfMeasure: URIRef  # unit of measure
    validFrom: URIRef  # valid from
    validUntil: URIRef  # valid until


class BMV(DefinedNamespace):
    """The controlled vocabularies of the ontology (concept classes, concepts, schemes), prefix
    ``bmv:``."""

    _fail = True
    _NS = Namespace("https://w3id.org/bmkg/vocab#")

    # Concept classes
    Availability: URIRef  # Availability
    BusinessFunction: URIRef  # Business function
    ChannelKind: URIRef  # Channel kind
    ChannelPhase: URIRef  # Channel phase
    CostType: URIRef  # Cost type
    Criticality: URIRef  # Criticality
    CustomerDataKind: URIRef  # Customer data kind
    EvidenceKind: URIRef  # Evidence kind
    JourneyStageKind: URIRef  # Journey stage kind
    LifecycleStatus: URIRef  # Lifecycle status
    MetricCategory: URIRef  # Metric category
    MetricPerspective: URIRef  # Metric perspective
    PricingMechanism: URIRef  # Pricing mechanism
    RelationshipKind: URIRef  # Relationship kind
    ResourceKind: URIRef  # Resource kind
    ModelState: URIRef  # Model state
    MetricType: URIRef  # Metric type

    # Concepts
    AddressData: URIRef  # Address
    Advertising: URIRef  # Advertising
    Advocacy: URIRef  # Advocacy
    AfterSales: URIRef  # After-sales
    AssetSale: URIRef  # Asset sale
    AutomatedService: URIRef  # Automated service
    Available: URIRef  # Available
    Awareness: URIRef  # Awareness
    BillingData: URIRef  # Billing
    Branch: URIRef  # Branch
    BrokerageFee: URIRef  # Brokerage fee
    CallCentre: URIRef  # Call centre
    CoCreation: URIRef  # Co-creation
    Commitment: URIRef  # Commitment
    Community: URIRef  # Community
    Constrained: URIRef  # Constrained
    ContactData: URIRef  # Contact
    Convenience: URIRef  # Convenience
    CreditData: URIRef  # Credit
    DedicatedPersonalAssistance: URIRef  # Dedicated personal assistance
    DeeperResearch: URIRef  # Deeper research
    Delivery: URIRef  # Delivery
    Efficiency: URIRef  # Efficiency
    Email: URIRef  # Email and messaging
    Engagement: URIRef  # Engagement
    Evaluation: URIRef  # Evaluation
    FieldSales: URIRef  # Field sales
    FinanceFunction: URIRef  # Finance
    FinancialResource: URIRef  # Financial
    FixedCost: URIRef  # Fixed
    HighCriticality: URIRef  # High
    HumanResource: URIRef  # Human
    ITFunction: URIRef  # Information technology
    IdentityData: URIRef  # Identity
    InitialResearch: URIRef  # Initial research
    InsideOut: URIRef  # Inside-out
    IntellectualResource: URIRef  # Intellectual
    InteractionHistory: URIRef  # Interaction history
    InterestIncome: URIRef  # Interest
    Interview: URIRef  # Interview
    Lending: URIRef  # Lending, renting, leasing
    Licensing: URIRef  # Licensing
    Live: URIRef  # Live
    LowCriticality: URIRef  # Low
    MarketingFunction: URIRef  # Marketing
    MassMedia: URIRef  # Mass media advertising
    MediumCriticality: URIRef  # Medium
    MissionCritical: URIRef  # Mission-critical
    MobileApp: URIRef  # Mobile app
    Onboarding: URIRef  # Onboarding
    Online: URIRef  # Online (web)
    OperationsFunction: URIRef  # Operations
    OutsideIn: URIRef  # Outside-in
    PartnerManagementFunction: URIRef  # Partner management
    PartnerReseller: URIRef  # Partner reseller
    PersonalAssistance: URIRef  # Personal assistance
    PhysicalResource: URIRef  # Physical
    Planned: URIRef  # Planned
    PreferenceData: URIRef  # Preferences
    ProductFunction: URIRef  # Product management
    Productivity: URIRef  # Productivity
    Purchase: URIRef  # Purchase
    Quality: URIRef  # Quality
    Renewal: URIRef  # Renewal or exit
    Retired: URIRef  # Retired
    Review: URIRef  # Review
    RiskFunction: URIRef  # Risk and compliance
    SalesFunction: URIRef  # Sales
    SelfService: URIRef  # Self-service
    SelfServiceMachine: URIRef  # Self-service machine
    ServiceFunction: URIRef  # Customer service
    Shop: URIRef  # Shop
    SocialMedia: URIRef  # Social media
    SocialPost: URIRef  # Social post
    Subscription: URIRef  # Subscription
    Support: URIRef  # Support
    SupportCase: URIRef  # Support case
    Survey: URIRef  # Survey
    Unavailable: URIRef  # Unavailable
    UsageData: URIRef  # Usage
    UsageFee: URIRef  # Usage fee
    Use: URIRef  # Use
    VariableCost: URIRef  # Variable
    AsIs: URIRef  # As-is
    ToBe: URIRef  # To-be
    NetPromoterScore: URIRef  # Net promoter score
    CustomerSatisfactionScore: URIRef  # Customer satisfaction score
    SocialSentiment: URIRef  # Social sentiment
    CustomerEffortScore: URIRef  # Customer effort score
    TimeToComplete: URIRef  # Time to complete
    ChannelsEngaged: URIRef  # Channels engaged
    AbandonmentRate: URIRef  # Abandonment rate
    ChurnRate: URIRef  # Churn rate
    ConversionRate: URIRef  # Conversion rate
    CostToServe: URIRef  # Cost to serve
    HandlingTime: URIRef  # Handling time
    OutputPerEmployee: URIRef  # Output per employee
    FirstContactResolution: URIRef  # First-contact resolution
    ErrorRate: URIRef  # Error rate
    ServiceAvailability: URIRef  # Service availability

    # Concept schemes
    Availabilities: URIRef  # Availabilities
    BusinessFunctions: URIRef  # Business functions
    ChannelKinds: URIRef  # Channel kinds
    ChannelPhases: URIRef  # Channel phases
    CostTypes: URIRef  # Cost types
    Criticalities: URIRef  # Criticalities
    CustomerDataKinds: URIRef  # Customer data kinds
    EvidenceKinds: URIRef  # Evidence kinds
    JourneyStageKinds: URIRef  # Journey stage kinds
    LifecycleStatuses: URIRef  # Lifecycle statuses
    MetricCategories: URIRef  # Metric categories
    MetricPerspectives: URIRef  # Metric perspectives
    PricingMechanisms: URIRef  # Pricing mechanisms
    RelationshipKinds: URIRef  # Relationship kinds
    ResourceKinds: URIRef  # Resource kinds
    ModelStates: URIRef  # Model states
    MetricTypes: URIRef  # Metric types


BMSH = Namespace("https://w3id.org/bmkg/shapes#")
"""The namespace of the project's SHACL shapes, prefix ``bmsh:``."""

STANDARD_PREFIXES: dict[str, str] = {
    "bm": str(BM._NS),
    "bmsh": str(BMSH),
    "bmv": str(BMV._NS),
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""Prefixes every query of a :class:`~kg.store.KnowledgeGraph` may use without declaring them."""
