import { z } from "zod";

/** Who a piece of learned state belongs to: the actor that made it, and the user and tenant it was made for. */
export const OwnerSchema = z.strictObject({
  actor: z.string().min(1).optional(),
  user: z.string().min(1).optional(),
  tenant: z.string().min(1).optional(),
});

/** Who a piece of learned state belongs to. */
export type Owner = z.infer<typeof OwnerSchema>;
