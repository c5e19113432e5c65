//! Monetization Service: the skill's in-skill products and whether the user owns them.

use crate::client::{AlexaApi, segment};
use crate::error::ApiError;

string_enum! {
    /// `type` of a product.
    pub enum ProductType {
        /// A subscription.
        Subscription = "SUBSCRIPTION",
        /// A one-time purchase.
        Entitlement = "ENTITLEMENT",
        /// A consumable.
        Consumable = "CONSUMABLE",
    }
}

string_enum! {
    /// `entitled`.
    pub enum EntitledState {
        /// The user owns it.
        Entitled = "ENTITLED",
        /// The user does not own it.
        NotEntitled = "NOT_ENTITLED",
    }
}

string_enum! {
    /// `purchasable`.
    pub enum PurchasableState {
        /// Can be bought now.
        Purchasable = "PURCHASABLE",
        /// Cannot (already owned, not offered).
        NotPurchasable = "NOT_PURCHASABLE",
    }
}

model! {
    /// One product (`monetization.InSkillProduct`).
    pub struct InSkillProduct {
        /// The product id (`amzn1.adg.product.…`).
        pub product_id: String,
        /// The skill's name for it.
        pub reference_name: String,
        /// The localized name.
        pub name: String,
        /// Type.
        #[serde(rename = "type")]
        pub kind: ProductType,
        /// Localized summary.
        pub summary: String,
        /// Purchasable or not.
        pub purchasable: PurchasableState,
        /// Owned or not.
        pub entitled: EntitledState,
        /// `PURCHASED`, `NOT_PURCHASED`, `AUTO_ENTITLED`, `BUNDLE_ENTITLED`.
        pub entitlement_reason: String,
        /// How many consumables are left.
        pub active_entitlement_count: i64,
        /// `TEST` or `LIVE`.
        pub purchase_mode: String,
    }
}

impl InSkillProduct {
    /// Whether the user owns it.
    pub fn is_entitled(&self) -> bool {
        self.entitled == Some(EntitledState::Entitled)
    }
}

model! {
    /// `monetization.InSkillProductsResponse`.
    pub struct InSkillProducts {
        /// The products.
        pub in_skill_products: Vec<InSkillProduct>,
        /// More pages follow.
        pub is_truncated: bool,
        /// The next page's token.
        pub next_token: String,
    }
}

const PATH: &str = "/v1/users/~current/skills/~current/inSkillProducts";

impl AlexaApi {
    /// The skill's products, localized for the request's locale.
    pub async fn in_skill_products(&self) -> Result<InSkillProducts, ApiError> {
        self.get(PATH, None).await
    }

    /// One product by id.
    pub async fn in_skill_product(&self, product_id: &str) -> Result<InSkillProduct, ApiError> {
        self.get(&format!("{PATH}/{}", segment(product_id)), None)
            .await
    }

    /// Whether the user owns the product (`false` for an unknown product).
    pub async fn is_entitled(&self, product_id: &str) -> Result<bool, ApiError> {
        match self.in_skill_product(product_id).await {
            Ok(product) => Ok(product.is_entitled()),
            Err(ApiError::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
