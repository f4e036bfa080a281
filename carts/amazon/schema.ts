// The raw shapes we read, as zod schemas (field names and types from `amazon-ordersV0.json`
// definitions). Only the fields normalize uses are declared; Amazon adds fields often, and unknown
// ones are ignored rather than refused.
import { z } from 'zod';
import { MAX_QUANTITY, nonBlank } from '../normalize-kit.js';

/** Optional in the model; some clients and recordings write `null` for "absent". */
const opt = <T extends z.ZodType>(schema: T) => schema.nullish();
const str = () => opt(z.string());

/** `Money`: the amount is a decimal **string** ("25.99"), never a number. */
export const moneySchema = z.object({
  CurrencyCode: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'),
  Amount: z.string(),
});
export type Money = z.infer<typeof moneySchema>;

export const addressSchema = z.object({
  Name: str(),
  CompanyName: str(),
  AddressLine1: str(),
  AddressLine2: str(),
  AddressLine3: str(),
  City: str(),
  County: str(),
  District: str(),
  StateOrRegion: str(),
  Municipality: str(),
  PostalCode: str(),
  CountryCode: str(),
  Phone: str(),
  AddressType: str(),
});
export type AmazonAddress = z.infer<typeof addressSchema>;

/** `BuyerInfo` inside an Order. `BuyerEmail` is Amazon's anonymized relay address. */
export const buyerInfoSchema = z.object({
  BuyerEmail: str(),
  BuyerName: str(),
  PurchaseOrderNumber: str(),
});

export const paymentExecutionItemSchema = z.object({
  Payment: moneySchema,
  PaymentMethod: z.string(),
  CardBrand: str(),
});

export const orderSchema = z.object({
  AmazonOrderId: nonBlank,
  SellerOrderId: str(),
  PurchaseDate: z.string(),
  LastUpdateDate: z.string(),
  OrderStatus: z.string().min(1),
  FulfillmentChannel: str(),
  ShipServiceLevel: str(),
  ShipmentServiceLevelCategory: str(),
  OrderTotal: opt(moneySchema),
  PaymentMethod: str(),
  PaymentMethodDetails: opt(z.array(z.string())),
  PaymentExecutionDetail: opt(z.array(paymentExecutionItemSchema)),
  MarketplaceId: str(),
  ShippingAddress: opt(addressSchema),
  BuyerInfo: opt(buyerInfoSchema),
});
export type AmazonOrder = z.infer<typeof orderSchema>;

export const orderItemSchema = z.object({
  ASIN: nonBlank,
  OrderItemId: z.string().min(1),
  SellerSKU: str(),
  Title: str(),
  // 0 only on a cancelled order's items (normalize drops those lines; elsewhere it names the field).
  QuantityOrdered: z.number().int().min(0).max(MAX_QUANTITY),
  QuantityShipped: opt(z.number().int().min(0)),
  ItemPrice: opt(moneySchema),
  ItemTax: opt(moneySchema),
  ShippingPrice: opt(moneySchema),
  ShippingTax: opt(moneySchema),
  ShippingDiscount: opt(moneySchema),
  ShippingDiscountTax: opt(moneySchema),
  PromotionDiscount: opt(moneySchema),
  PromotionDiscountTax: opt(moneySchema),
  CODFee: opt(moneySchema),
  CODFeeDiscount: opt(moneySchema),
  IsGift: str(),
  ScheduledDeliveryStartDate: str(),
  ScheduledDeliveryEndDate: str(),
  /** Restricted data (gift message, gift wrap): only present when fetched with an RDT. */
  BuyerInfo: opt(z.object({ GiftMessageText: str() })),
});
export type AmazonOrderItem = z.infer<typeof orderItemSchema>;

/** getOrderAddress payload. */
export const orderAddressSchema = z.object({
  AmazonOrderId: z.string().min(1),
  BuyerCompanyName: str(),
  ShippingAddress: opt(addressSchema),
  DeliveryPreferences: opt(z.object({ AddressInstructions: str(), DropOffLocation: str() })),
});

/** getOrderBuyerInfo payload. */
export const orderBuyerInfoSchema = buyerInfoSchema.extend({ AmazonOrderId: z.string().min(1) });

/**
 * One order as the adapter hands it on: Amazon splits an order over several calls, so the raw
 * payload is a composite. `order` is a getOrders/getOrder `Order`; `items` the `OrderItems` of every
 * getOrderItems page; `address` / `buyerInfo` the getOrderAddress / getOrderBuyerInfo payloads when
 * those were called (they override the order's own `ShippingAddress` / `BuyerInfo`); `itemsError`
 * says why the items could not be fetched.
 */
export const rawOrderSchema = z.object({
  order: orderSchema,
  items: z.array(orderItemSchema),
  address: opt(orderAddressSchema),
  buyerInfo: opt(orderBuyerInfoSchema),
  itemsError: str(),
});
export type AmazonRawOrder = z.infer<typeof rawOrderSchema>;

/** What the adapter builds before normalize checks it (records pass through unvalidated). */
export interface AmazonRawPayload {
  order: unknown;
  items: unknown[];
  address?: unknown;
  buyerInfo?: unknown;
  itemsError?: string;
}

// Response envelopes: checked by the client, so a body of the wrong shape is a CartResponseError.
// The records inside stay `unknown` so that one bad order becomes one rejection, not a failed page.

const record = z.record(z.string(), z.unknown());

export const getOrdersEnvelope = z.object({
  payload: z.object({
    Orders: z.array(z.unknown()),
    NextToken: str(),
    LastUpdatedBefore: str(),
    CreatedBefore: str(),
  }),
});

export const getOrderEnvelope = z.object({ payload: record });

export const getOrderItemsEnvelope = z.object({
  payload: z.object({
    AmazonOrderId: z.string(),
    OrderItems: z.array(z.unknown()),
    NextToken: str(),
  }),
});

/** `{"errors":[{"code","message","details"?}]}` (ErrorList). */
export const errorListSchema = z.object({
  errors: z.array(z.object({ code: z.string(), message: z.string().nullish(), details: str() })).min(1),
});

/** Tokens API createRestrictedDataToken response. */
export const rdtResponseSchema = z.object({
  restrictedDataToken: z.string().min(1),
  expiresIn: z.number().positive(),
});

/** LWA token response (LwaAuthClient.mjs reads `access_token`, `expires_in`). */
export const lwaResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: str(),
  expires_in: z.number().positive(),
});

/** LWA error body: `{"error_description":"…","error":"invalid_grant"}` (selling-partner-api-models#921). */
export const lwaErrorSchema = z.object({ error: z.string(), error_description: str() });
