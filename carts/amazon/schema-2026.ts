// The Orders API v2026-01-01 shapes we read, as zod schemas (field names and types from the
// definitions of `amazon-orders_2026-01-01.json`). As for v0 (`schema.ts`), only the fields normalize
// uses are declared, and unknown ones are ignored: Amazon adds fields often.
import { z } from 'zod';
import { MAX_QUANTITY, nonBlank } from '../normalize-kit.js';

const opt = <T extends z.ZodType>(schema: T) => schema.nullish();
const str = () => opt(z.string());

/** `Money`: `amount` is a `Decimal`, "a decimal number with no loss of precision": a string ("5980"). */
export const money2026Schema = z.object({
  amount: z.string(),
  currencyCode: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'),
});
export type Money2026 = z.infer<typeof money2026Schema>;

/** `CustomerAddress` (recipient.deliveryAddress). */
export const customerAddressSchema = z.object({
  name: str(),
  companyName: str(),
  addressLine1: str(),
  addressLine2: str(),
  addressLine3: str(),
  city: str(),
  districtOrCounty: str(),
  stateOrRegion: str(),
  municipality: str(),
  postalCode: str(),
  countryCode: str(),
  phone: str(),
  addressType: str(),
});
export type CustomerAddress = z.infer<typeof customerAddressSchema>;

const dateTimeRange = z.object({ earliestDateTime: str(), latestDateTime: str() });

/** `ItemProceedsBreakdown` / `OrderProceedsBreakdown`: a category with its subtotal and details. */
const breakdownSchema = z.object({
  type: z.string().min(1),
  subtotal: money2026Schema,
  detailedBreakdowns: opt(z.array(z.object({ subtype: z.string().min(1), value: money2026Schema }))),
});
export type Breakdown2026 = z.infer<typeof breakdownSchema>;

export const orderItem2026Schema = z.object({
  orderItemId: z.string().min(1),
  // 0 only on a cancelled order's items (normalize drops those lines; elsewhere it names the field).
  quantityOrdered: z.number().int().min(0).max(MAX_QUANTITY),
  product: z.object({
    asin: opt(nonBlank),
    title: str(),
    sellerSku: str(),
    price: opt(z.object({ unitPrice: opt(money2026Schema) })),
  }),
  /** PROCEEDS: what the seller receives for the line, by category (ITEM, SHIPPING, TAX, …). */
  proceeds: opt(z.object({ proceedsTotal: opt(money2026Schema), breakdowns: opt(z.array(breakdownSchema)) })),
  /** FULFILLMENT: gift option (PII) and scheduled delivery window. */
  fulfillment: opt(
    z.object({
      quantityFulfilled: opt(z.number().int().min(0)),
      packing: opt(z.object({ giftOption: opt(z.object({ giftMessage: str(), giftWrapLevel: str() })) })),
      shipping: opt(z.object({ scheduledDeliveryWindow: opt(dateTimeRange) })),
    }),
  ),
});
export type OrderItem2026 = z.infer<typeof orderItem2026Schema>;

export const order2026Schema = z.object({
  orderId: nonBlank,
  createdTime: z.string(),
  lastUpdatedTime: z.string(),
  salesChannel: z.object({ channelName: z.string().min(1), marketplaceId: str(), marketplaceName: str() }),
  /** BUYER (name and email are PII, behind the Direct-to-Consumer roles). */
  buyer: opt(z.object({ buyerName: str(), buyerEmail: str(), buyerCompanyName: str() })),
  /** RECIPIENT. */
  recipient: opt(
    z.object({
      deliveryAddress: opt(customerAddressSchema),
      deliveryPreference: opt(z.object({ addressInstruction: str(), dropOffLocation: str() })),
    }),
  ),
  /** PROCEEDS. */
  proceeds: opt(z.object({ grandTotal: opt(money2026Schema), breakdowns: opt(z.array(breakdownSchema)) })),
  /** PAYMENT. */
  payment: opt(
    z.object({
      paymentExecutions: opt(
        z.array(
          z.object({
            paymentMethod: z.string().min(1),
            paymentAmount: opt(money2026Schema),
            cardBrand: str(),
          }),
        ),
      ),
    }),
  ),
  /**
   * FULFILLMENT: the status lives here. Optional in the model, but juchu always asks for it, and an
   * order without it is refused, naming `fulfillment`.
   */
  fulfillment: z.object(
    {
      fulfillmentStatus: z.string().min(1),
      fulfilledBy: str(),
      fulfillmentServiceLevel: str(),
    },
    'the FULFILLMENT dataset is missing (includedData)',
  ),
  orderItems: z.array(orderItem2026Schema),
});
export type Order2026 = z.infer<typeof order2026Schema>;

// Response envelopes, checked by the client. The orders inside stay `unknown`, so one bad order
// becomes one rejection rather than a failed page.

/** `SearchOrdersResponse`: `orders` (required), `pagination.nextToken`, and the effective bound. */
export const searchOrdersEnvelope = z.object({
  orders: z.array(z.unknown()),
  pagination: opt(z.object({ nextToken: str() })),
  lastUpdatedBefore: str(),
  createdBefore: str(),
});

/** `GetOrderResponse`: `{ order }`. */
export const getOrder2026Envelope = z.object({ order: z.record(z.string(), z.unknown()) });
